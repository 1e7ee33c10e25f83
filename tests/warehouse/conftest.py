"""Warehouse fixtures: builders in the two tenants' organizations, signal catchers, English pages."""

import pytest

from tests.support.warehouse import Build


@pytest.fixture
def build(tenant):
    return Build(tenant.organization)


@pytest.fixture
def build_other(other_tenant):
    return Build(other_tenant.organization)


@pytest.fixture
def caught():
    """caught(signal) -> list that collects the keyword arguments of every send."""
    connected = []

    def listen(signal):
        received = []

        def receiver(sender, **kwargs):
            received.append({"sender": sender, **kwargs})

        signal.connect(receiver, weak=False)
        connected.append((signal, receiver))
        return received

    yield listen
    for signal, receiver in connected:
        signal.disconnect(receiver)


@pytest.fixture(autouse=True)
def english_pages(tenant):
    """Pages in the source language, so assertions on messages survive new translations."""
    tenant.organization.language = "en"
    tenant.organization.save(update_fields=["language"])
