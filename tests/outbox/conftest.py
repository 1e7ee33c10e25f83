"""The outbox's failure paths on a connected organization: the sandbox over real HTTP (the HR
integration's fixtures), and handlers a test registers to stand in for a handler with a bug."""

import pytest
from django.contrib.contenttypes.models import ContentType

from hr.models import Employee
from integrations import outbox
from integrations.sync_models import ExternalLink, OutboxEvent
from tests.hr_sync.conftest import (  # noqa: F401 (fixtures)
    activated,
    connected,
    create_fortnox_employee,
    employee,
    fortnox,
    fortnox_company,
    in_english,
    make_company,
    sandbox,
    tenant,
)


def link_to_fortnox(emp, external_id) -> ExternalLink:
    return ExternalLink.objects.create(organization=emp.organization, kind="employee", external_id=external_id,
                                       content_type=ContentType.objects.get_for_model(Employee), object_id=emp.pk)


def due_now() -> None:
    """Skip the backoff: every pending event is due (the test, not the clock, decides when)."""
    from django.utils import timezone

    OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).update(next_attempt_at=timezone.now())


@pytest.fixture
def broken_handler(monkeypatch):
    """broken_handler(exception) → an event kind whose handler raises it: no real handler has a
    known bug to trigger, so this stands in for one (the only thing not real in these tests)."""

    def register(exception, kind="test_broken"):
        def handle(event, client):
            raise exception

        monkeypatch.setitem(outbox.HANDLERS, kind, handle)
        return kind

    return register


@pytest.fixture
def recording_handler(monkeypatch):
    """An event kind whose handler succeeds and notes the events it pushed."""
    pushed = []
    monkeypatch.setitem(outbox.HANDLERS, "test_ok", lambda event, client: pushed.append(event.pk))
    return pushed
