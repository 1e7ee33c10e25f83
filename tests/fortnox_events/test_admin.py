"""The event stream's rows in the Django admin: listed, searched and filtered, never edited (the
listener and the jobs are their only writers). That an organization's staff see only their own
organization's rows is the tenancy walk's (tests/organizations/test_admin_tenancy.py)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from integrations.fortnox_events.models import ListenerLease, StreamEvent, StreamOffset, StreamTenant, StreamTopic
from organizations.models import User
from tests.support.fortnox_events import deliver, event

STREAM_MODELS = [ListenerLease, StreamTenant, StreamTopic, StreamEvent, StreamOffset]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@brygga.test", password="pw-for-tests-1")


def test_every_stream_model_is_in_the_admin():
    assert all(model in admin.site._registry for model in STREAM_MODELS)


@pytest.mark.parametrize("model", STREAM_MODELS, ids=lambda model: model.__name__)
def test_a_superuser_reads_every_stream_model_and_can_neither_add_change_nor_delete_a_row(
        superuser, client_for, connection, model):
    deliver(connection, event(connection, "orders", "17", "created"))
    StreamOffset.objects.create(organization_id=connection.organization_id, topic="orders", offset="1")
    StreamTenant.objects.create(organization_id=connection.organization_id, tenant_id=connection.tenant_id)
    ListenerLease.objects.create(name="fortnox-events", holder="host:1")
    row = model.objects.get()
    client = client_for(superuser)
    name = f"admin:fortnox_events_{model._meta.model_name}"
    assert client.get(reverse(f"{name}_changelist"), {"q": "17"}).status_code == 200
    page = client.get(reverse(f"{name}_change", args=[row.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()
