"""Exactly one listener holds the stream: the lease row, taken with a conditional UPDATE, and
`/healthz`'s view of it. (Two listener processes failing over over a real stream: test_listener.py.)"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.fortnox_events.listener import Lease, LeaseLost
from integrations.fortnox_events.models import ListenerLease
from integrations.fortnox_events.state import LEASE_NAME
from tests.support.fortnox_events import silent


def test_a_second_listener_stands_by_while_the_first_renews_the_lease(db):
    first, second = Lease("machine-a:1", 10), Lease("machine-b:2", 10)
    assert first.acquire()
    assert not second.acquire()
    first.renew()
    assert not second.acquire()
    assert ListenerLease.objects.get(name=LEASE_NAME).holder == "machine-a:1"


def test_a_listener_whose_heartbeat_is_older_than_the_lease_loses_it_to_the_standby(db):
    first, second = Lease("machine-a:1", 10), Lease("machine-b:2", 10)
    assert first.acquire()
    ListenerLease.objects.update(heartbeat_at=timezone.now() - timedelta(seconds=11))  # killed 11 s ago
    assert second.acquire()
    with pytest.raises(LeaseLost):
        first.renew()  # a holder that comes back finds it taken and closes its stream


def test_a_holder_keeps_its_lease_across_its_own_reconnects(db):
    first, second = Lease("machine-a:1", 10), Lease("machine-b:2", 10)
    assert first.acquire()
    assert first.acquire()  # after a dropped connection and its backoff
    assert not second.acquire()


def test_a_listener_that_stops_lets_the_lease_go_at_once(db):
    first, second = Lease("machine-a:1", 10), Lease("machine-b:2", 10)
    first.acquire()
    first.release()
    assert second.acquire()


def test_healthz_reports_the_listener_without_failing_on_it(db, client, settings):
    settings.FORTNOX_EVENTS_URL = "ws://127.0.0.1:9/topics-v1"
    assert json.loads(client.get("/healthz").content)["fortnox_events"] == {"status": "not running"}
    now = timezone.now()
    ListenerLease.objects.create(name=LEASE_NAME, holder="machine-a:1", acquired_at=now, heartbeat_at=now,
                                 subscribed_at=now, tenants=3)
    report = json.loads(client.get("/healthz").content)["fortnox_events"]
    assert report["status"] == "ok" and report["tenants"] == 3 and report["holder"] == "machine-a:1"
    silent(settings.FORTNOX_EVENTS_STALE_SECONDS + 1)
    assert json.loads(client.get("/healthz").content)["fortnox_events"]["status"] == "no heartbeat"
