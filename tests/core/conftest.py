"""The outbox's failure paths on a connected organization (the HR integration's world from
tests/support/hr_sync.py), and handlers a test registers to stand in for a handler with a bug."""

import pytest

from integrations.core import outbox


@pytest.fixture(autouse=True)
def in_english(in_english):
    """Notices and error-log entries are asserted by their English source text."""
    return in_english


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
