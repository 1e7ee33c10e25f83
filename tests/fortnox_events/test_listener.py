"""The listener (`manage.py fortnox_events`, in its own process) against the sandbox's stream
server over a real WebSocket, with a real job cluster: an order made in Fortnox reaches the pick
queue without "Sync now"; duplicates and replays change nothing twice; one listener holds the
stream and a second takes over when the first is killed; a killed listener under the supervisor
comes back and converges from the stored offsets; an expiring token is replaced on the stream."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.core.models import FortnoxConnection, IntegrationError, SyncRun
from integrations.fortnox_events.models import ListenerLease, StreamEvent, StreamTenant, StreamTopic
from integrations.fortnox_events.state import organization_stream
from integrations.warehouse_sync.tasks import RUN_KIND
from tests.support.fortnox_events import LEASE_SECONDS, holder_pid, listener_env, start_listener, stop_listener
from tests.support.processes import wait_for
from tests.support.warehouse_sync import article, customer, order
from warehouse.models import SalesOrder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
# Over two of the listener's 5 s rounds, so a round late on a busy machine still re-adds the tenant
# before its token dies; short, because the test waits out the first token's life.
TOKEN_SECONDS = 12


@pytest.fixture
def listeners(live_server, sandbox_stream):
    started = []

    def start(**options):
        process = start_listener(listener_env(live_server.url, sandbox_stream.url), **options)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_listener(process)


def in_pick_queue(tenant, number) -> bool:
    return SalesOrder.objects.filter(organization=tenant.organization, order_number=str(number),
                                     state=SalesOrder.State.OPEN).exists()


def test_an_order_created_in_fortnox_reaches_the_pick_queue_without_sync_now(fortnox, connection, tenant, cluster,
                                                                              listeners):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    listeners()
    wait_for(lambda: StreamTenant.objects.filter(organization=tenant.organization, live_since__isnull=False).exists(),
             30, "the organization on the stream")
    created = order(fortnox, [("A1", 2)])
    wait_for(lambda: in_pick_queue(tenant, created["DocumentNumber"]), 20, "the order in the pick queue")
    assert not SyncRun.objects.filter(organization=tenant.organization, kind=RUN_KIND).exists()  # no pull, no Sync now
    assert StreamTopic.objects.filter(topic="orders").exclude(offset="").exists()


def test_a_second_listener_stands_by_and_takes_over_when_the_first_is_killed(fortnox, connection, tenant, cluster,
                                                                           listeners):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    first = listeners()
    second = listeners()
    holder = wait_for(holder_pid, 30, "one listener holding the stream")
    before = order(fortnox, [("A1", 1)])  # the orders topic has an offset to resume from
    wait_for(lambda: in_pick_queue(tenant, before["DocumentNumber"]), 20, "the first order in the pick queue")
    killed, standby = (first, second) if holder == first.pid else (second, first)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(timeout=10)
    created = order(fortnox, [("A1", 1)])  # made while nobody holds the stream
    wait_for(lambda: holder_pid() == standby.pid, LEASE_SECONDS + 20, "the standby holding the stream")
    wait_for(lambda: in_pick_queue(tenant, created["DocumentNumber"]), 20, "the order in the pick queue")
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 2


def test_a_listener_killed_under_the_supervisor_comes_back_and_converges_from_the_stored_offsets(
        fortnox, connection, tenant, cluster, listeners):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    listeners(supervised=True)
    first = wait_for(holder_pid, 30, "the listener holding the stream")
    before = order(fortnox, [("A1", 1)])
    wait_for(lambda: in_pick_queue(tenant, before["DocumentNumber"]), 20, "the first order")
    os.kill(first, signal.SIGKILL)
    during = order(fortnox, [("A1", 3)])
    wait_for(lambda: (holder_pid() or first) != first, LEASE_SECONDS + 30, "a new listener process holding the stream")
    wait_for(lambda: in_pick_queue(tenant, during["DocumentNumber"]), 20, "the order made while it was down")
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 2
    orders = StreamEvent.objects.filter(organization=tenant.organization, topic="orders")
    # The job commits each order, then marks the events it applied: a moment after the order shows.
    wait_for(lambda: not orders.filter(status=StreamEvent.Status.PENDING).exists(), 10, "every order event settled")


def test_a_disconnected_organization_leaves_the_stream(fortnox, connection, tenant, listeners):
    from integrations.connection.actions import do_disconnect

    listeners()
    wait_for(lambda: StreamTenant.objects.filter(organization=tenant.organization, live_since__isnull=False).exists(),
             30, "the organization on the stream")
    disconnected_at = timezone.now()
    do_disconnect(FortnoxConnection.objects.get(pk=connection.pk))
    wait_for(lambda: not StreamTenant.objects.filter(organization=tenant.organization, live_since__isnull=False).exists(),
             20, "the organization off the stream")
    row = StreamTenant.objects.get(organization=tenant.organization)
    assert row.live_since is None and row.polling_since >= disconnected_at
    assert not organization_stream(tenant.organization.pk).live
    wait_for(lambda: ListenerLease.objects.filter(tenants=0, subscribed_at__isnull=False).exists(), 10,
             "the listener's next heartbeat")
    assert ListenerLease.objects.get().tenants == 0  # removed from the connection, not only marked


def test_a_token_about_to_expire_is_replaced_on_the_stream_and_events_keep_coming(
        fortnox, connection, tenant, cluster, listeners, sandbox, company):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    # Tokens that live 12 s: always within the refresh margin, so the listener rotates and re-adds
    # the tenant at every round (5 s); the token it first added is dead before the order is made.
    sandbox.update_company(company.data, access_token_seconds=TOKEN_SECONDS)
    # The stored token's expiry brought within the margin, so the very first round rotates it.
    FortnoxConnection.objects.filter(pk=connection.pk).update(expires_at=timezone.now() + timedelta(seconds=60))
    listeners()
    wait_for(lambda: StreamTenant.objects.filter(organization=tenant.organization, live_since__isnull=False).exists(),
             30, "the organization on the stream")
    first_expiry = FortnoxConnection.objects.get(pk=connection.pk).expires_at
    wait_for(lambda: FortnoxConnection.objects.get(pk=connection.pk).expires_at != first_expiry, 20,
             "the listener rotating the token")
    time.sleep(TOKEN_SECONDS + 1)  # the first token is dead now
    created = order(fortnox, [("A1", 1)])
    wait_for(lambda: in_pick_queue(tenant, created["DocumentNumber"]), 20, "the order in the pick queue")
    wait_for(lambda: StreamEvent.objects.filter(organization=tenant.organization, topic="orders", entity_id=str(
        created["DocumentNumber"]), status=StreamEvent.Status.DONE).exists(), 10, "the order's event done (by the stream)")
    assert not SyncRun.objects.filter(organization=tenant.organization, kind=RUN_KIND).exists()  # not by a pull
    assert StreamTenant.objects.filter(organization=tenant.organization, live_since__isnull=False,
                                       polling_since__isnull=True).exists()


def test_the_listener_reconnects_after_the_stream_drops_and_replays_from_its_offsets(
        fortnox, connection, tenant, cluster, listeners, sandbox_stream):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    listeners()
    wait_for(holder_pid, 30, "the listener holding the stream")
    before = order(fortnox, [("A1", 1)])  # the orders topic has an offset to resume from
    wait_for(lambda: in_pick_queue(tenant, before["DocumentNumber"]), 20, "the first order in the pick queue")
    sandbox_stream.kill()
    created = order(fortnox, [("A1", 1)])  # recorded by the sandbox while its stream is down
    sandbox_stream.start()
    wait_for(lambda: in_pick_queue(tenant, created["DocumentNumber"]), 45, "the order in the pick queue")
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 2


def test_duplicated_and_delayed_events_bring_each_order_once(fortnox, connection, tenant, cluster, listeners, sandbox,
                                                             company):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    sandbox.update_company(company.data, fault_stream_duplicate_rate=1.0, fault_stream_delay_ms=300)
    listeners()
    wait_for(holder_pid, 30, "the listener holding the stream")
    numbers = [order(fortnox, [("A1", 1)])["DocumentNumber"] for _ in range(3)]
    wait_for(lambda: all(in_pick_queue(tenant, number) for number in numbers), 30, "the orders in the pick queue")
    time.sleep(2)  # the duplicates arrive and are dropped
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 3


def test_an_event_that_arrives_before_fortnox_shows_the_order_is_read_again_until_it_does(
        fortnox, connection, tenant, cluster, listeners, sandbox, company):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    sandbox.update_company(company.data, fault_stream_stale_read_seconds=3.5)
    listeners()
    wait_for(holder_pid, 30, "the listener holding the stream")
    created = order(fortnox, [("A1", 1)])
    number = str(created["DocumentNumber"])
    wait_for(lambda: in_pick_queue(tenant, number), 30, "the order in the pick queue")
    answers = [entry["status"] for entry in sorted(sandbox.request_log(company.data), key=lambda entry: entry["at"])
               if entry["method"] == "GET" and entry["path"].rstrip("/").endswith(f"/3/orders/{number}")]
    # Read while Fortnox did not show it yet (404), then again until it did. The stale window
    # (3.5 s) is shorter than the job's retries (4.2 s) and longer than an event takes to its job.
    assert answers[0] == 404 and answers[-1] == 200, answers
    wait_for(lambda: StreamEvent.objects.get(organization=tenant.organization, topic="orders").status == StreamEvent.Status.DONE,
             10, "the order's event done")
    assert not IntegrationError.objects.filter(organization=tenant.organization).exists()
