"""Pages tell a new user the next step where the demo showed they would otherwise be stuck."""

from django.urls import reverse

from integrations.core.models import FortnoxConnection


def test_the_warehouse_settings_say_to_connect_fortnox_for_the_warehouse_when_only_hr_is_connected(tenant, client_for):
    FortnoxConnection.objects.create(organization=tenant.organization, status=FortnoxConnection.Status.CONNECTED,
                                     hr_enabled=True, warehouse_enabled=False)
    page = client_for(tenant.owner).get(reverse("warehouse_sync_settings")).content.decode()
    assert "Fortnox is connected without the warehouse feature" in page
    FortnoxConnection.objects.filter(organization=tenant.organization).update(warehouse_enabled=True)
    page = client_for(tenant.owner).get(reverse("warehouse_sync_settings")).content.decode()
    assert "without the warehouse feature" not in page
