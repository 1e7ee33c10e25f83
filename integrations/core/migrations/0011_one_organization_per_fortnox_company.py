from django.db import migrations, models
from django.db.models import Count


def release_doubly_connected_companies(apps, schema_editor):
    """Before the rule holds: of the organizations connected to one Fortnox company, the one connected
    first keeps it; the others must connect again (and are then refused with the holder's name)."""
    FortnoxConnection = apps.get_model("integrations", "FortnoxConnection")
    doubled = (FortnoxConnection.objects.exclude(tenant_id="").values("tenant_id")
               .annotate(n=Count("pk")).filter(n__gt=1).values_list("tenant_id", flat=True))
    for tenant_id in list(doubled):
        keeper, *others = FortnoxConnection.objects.filter(tenant_id=tenant_id).order_by("connected_at", "pk")
        FortnoxConnection.objects.filter(pk__in=[o.pk for o in others]).update(
            status="needs_reauth", tenant_id="",
            last_error="This Fortnox company is connected to another organization; one company can be connected to one organization only.",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0010_failures_counted_and_told"),
    ]

    operations = [
        migrations.RunPython(release_doubly_connected_companies, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="fortnoxconnection",
            constraint=models.UniqueConstraint(
                condition=models.Q(("tenant_id", ""), _negated=True), fields=("tenant_id",), name="fortnox_company_one_organization",
            ),
        ),
    ]
