"""What an event from Fortnox's stream does in Brygga: its job reads the record over real HTTP
from the sandbox and applies it through the warehouse's own importers, by the pull's rules. The
events are handed to the listener's own storing code (the stream server's tests are in
test_listener.py)."""

import threading
import time
from decimal import Decimal

import pytest
from django.db.models.signals import post_save

from integrations.core.models import IntegrationError, SyncRun
from integrations.fortnox_events.jobs import EVENTS_RUN_KIND
from integrations.fortnox_events.listener import Listener
from integrations.fortnox_events.models import StreamEvent, StreamOffset
from tests.support.fortnox_events import apply, committed, deliver, drain_jobs, event, inbox, sweep
from tests.support.warehouse_sync import article, configure, customer, order
from warehouse import actions as warehouse_actions
from warehouse.models import Article, Customer, OrderType, SalesOrder, Supplier

pytestmark = pytest.mark.slow


def test_an_order_event_brings_the_order_with_its_customer_and_articles_by_the_pulls_rules(fortnox, connection, tenant):
    customer(fortnox, "K1", Type="PRIVATE")
    article(fortnox, "A1")
    article(fortnox, "FRAKT", StockGoods=False, Type="SERVICE")
    created = order(fortnox, [("A1", 2), ("FRAKT", 1)], "K1")

    deliver(connection, event(connection, "orders", created["DocumentNumber"], "created"))
    apply(connection)

    imported = SalesOrder.objects.get(organization=tenant.organization)
    assert imported.order_number == str(created["DocumentNumber"])
    assert [(r.article.article_number, r.ordered_quantity) for r in imported.rows.all()] == [("A1", 2), ("FRAKT", 1)]
    assert imported.order_type.kind == OrderType.Kind.B2C
    assert imported.customer.customer_type == Customer.Type.PRIVATE
    assert not Article.objects.get(organization=tenant.organization, article_number="FRAKT").is_stock_article
    run = SyncRun.objects.get(organization=tenant.organization, kind=EVENTS_RUN_KIND)
    assert run.status == SyncRun.Status.SUCCEEDED and run.counts["orders_created"] == 1, run.log
    assert inbox(connection)[0][2] == StreamEvent.Status.DONE


def test_an_order_not_ready_in_fortnox_is_not_taken_as_the_pull_would_not(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)], NotCompleted=True)
    deliver(connection, event(connection, "orders", created["DocumentNumber"], "created"))
    apply(connection)
    assert not SalesOrder.objects.filter(organization=tenant.organization).exists()


def test_duplicates_and_replays_are_stored_and_applied_once(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    once = event(connection, "orders", created["DocumentNumber"], "created")
    deliver(connection, once, dict(once))  # Fortnox's at-least-once: the same event twice
    apply(connection)
    deliver(connection, dict(once))  # a replay from an older offset after a reconnect
    apply(connection)

    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 1
    assert len(inbox(connection)) == 1
    assert SyncRun.objects.filter(organization=tenant.organization, kind=EVENTS_RUN_KIND).count() == 1


def test_events_arriving_while_the_organizations_run_waits_join_it_one_run_and_one_job(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    first, second = (order(fortnox, [("A1", 1)])["DocumentNumber"] for _ in range(2))
    deliver(connection, event(connection, "orders", first, "created"))
    deliver(connection, event(connection, "orders", second, "created"))  # while the first one's run waits
    assert SyncRun.objects.filter(organization=tenant.organization, kind=EVENTS_RUN_KIND).count() == 1
    assert len(drain_jobs()) == 1

    apply(connection)

    run = SyncRun.objects.get(organization=tenant.organization, kind=EVENTS_RUN_KIND)
    assert run.status == SyncRun.Status.SUCCEEDED and run.counts["orders_created"] == 2, run.log
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 2


def test_a_run_that_finds_the_organization_busy_stays_queued_until_the_sweep_gives_it_a_job_again(
        fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    busy = SyncRun.objects.create(organization=tenant.organization, kind=EVENTS_RUN_KIND, trigger=SyncRun.Trigger.PUSH,
                                  status=SyncRun.Status.RUNNING)
    deliver(connection, event(connection, "orders", created["DocumentNumber"], "created"))
    (queued,) = drain_jobs()
    apply(connection)
    assert SyncRun.objects.get(pk=queued).status == SyncRun.Status.QUEUED
    assert not SalesOrder.objects.filter(organization=tenant.organization).exists()

    busy.finish()
    sweep(after_seconds=10)
    assert drain_jobs() == [queued, queued]  # the run's job again, no second run
    apply(connection)
    assert SyncRun.objects.get(pk=queued).status == SyncRun.Status.SUCCEEDED
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 1


def test_a_run_whose_job_died_with_its_listener_gets_one_from_the_next_listeners_first_sweep(fortnox, connection, tenant):
    from django_q.models import OrmQ

    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    deliver(connection, event(connection, "orders", created["DocumentNumber"], "created"))
    OrmQ.objects.all().delete()  # the listener was killed after queuing the run, before its job reached the broker
    queued = SyncRun.objects.get(organization=tenant.organization, kind=EVENTS_RUN_KIND, status=SyncRun.Status.QUEUED)
    sweep(after_seconds=10)
    assert drain_jobs() == []  # to an ordinary sweep the run looks like one whose job is on the way

    successor = Listener(url="ws://unused.invalid/topics-v1", holder="test")
    successor.taken_over = True  # as when it begins holding the stream
    successor.sweep()
    assert drain_jobs() == [queued.pk]
    successor.sweep()
    assert drain_jobs() == [queued.pk]  # only its first sweep: later ones coalesce again
    apply(connection)
    assert SalesOrder.objects.filter(organization=tenant.organization, order_number=str(created["DocumentNumber"])).exists()


class Killed(BaseException):
    """The listener process dying (SIGKILL) at a line of its own code: no process can be killed at
    a chosen line from a test, so the call there raises this instead."""


def test_a_listener_killed_between_queueing_the_run_and_sending_its_job_leaves_neither_and_the_next_sweep_does_the_work(
        fortnox, connection, tenant, monkeypatch):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])

    def killed(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr("django_q.tasks.async_task", killed)
    with pytest.raises(Killed):
        deliver(connection, event(connection, "orders", created["DocumentNumber"], "created"))
    monkeypatch.undo()
    assert [status for _topic, _offset, status in inbox(connection)] == [StreamEvent.Status.PENDING]
    assert not SyncRun.objects.filter(organization=tenant.organization, kind=EVENTS_RUN_KIND).exists()

    sweep(after_seconds=10)  # the restarted listener's sweep
    (queued,) = drain_jobs()
    apply(connection)
    assert SyncRun.objects.get(pk=queued).status == SyncRun.Status.SUCCEEDED
    assert SalesOrder.objects.filter(organization=tenant.organization).count() == 1


def test_several_events_of_one_order_cost_one_read(fortnox, connection, tenant, sandbox, company):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    number = created["DocumentNumber"]
    deliver(connection, event(connection, "orders", number, "created"), event(connection, "orders", number),
            event(connection, "orders", number))
    apply(connection)
    reads = [entry for entry in sandbox.request_log(company.data)
             if entry["method"] == "GET" and entry["path"].rstrip("/").endswith(f"/3/orders/{number}")]
    assert len(reads) == 1
    assert {status for _topic, _offset, status in inbox(connection)} == {StreamEvent.Status.DONE}


def test_an_order_update_is_applied_until_picking_starts_and_then_only_noted(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 2)])
    number = created["DocumentNumber"]
    deliver(connection, event(connection, "orders", number, "created"))
    apply(connection)
    fortnox.put(f"/3/orders/{number}", {"Order": {"OrderRows": [{"ArticleNumber": "A1", "OrderedQuantity": "5"}]}})
    deliver(connection, event(connection, "orders", number))
    apply(connection)
    sales_order = SalesOrder.objects.get(organization=tenant.organization)
    assert sales_order.rows.get().ordered_quantity == 5

    warehouse_actions.do_pick_row(sales_order.rows.get(), Decimal(1), tenant.warehouse)
    fortnox.put(f"/3/orders/{number}", {"Order": {"OrderRows": [{"ArticleNumber": "A1", "OrderedQuantity": "9"}]}})
    deliver(connection, event(connection, "orders", number))
    apply(connection)
    sales_order.refresh_from_db()
    assert sales_order.rows.get().ordered_quantity == 5
    assert sales_order.changed_at_source and "rows" in str(sales_order.source_change_note)


def test_a_cancellation_event_cancels_an_order_not_started(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    number = created["DocumentNumber"]
    deliver(connection, event(connection, "orders", number, "created"))
    apply(connection)
    fortnox.put(f"/3/orders/{number}/cancel")
    deliver(connection, event(connection, "orders", number, "cancelled"))
    apply(connection)
    assert SalesOrder.objects.get(organization=tenant.organization).state == SalesOrder.State.CANCELLED


def test_article_customer_and_supplier_events_upsert_them(fortnox, connection, tenant):
    article(fortnox, "A1")
    customer(fortnox, "K9", Type="COMPANY")
    fortnox.post("/3/suppliers", {"Supplier": {"SupplierNumber": "L1", "Name": "Grossisten"}})
    deliver(connection, event(connection, "articles", "A1", "created"), event(connection, "customers", "K9", "created"),
            event(connection, "suppliers", "L1", "created"))
    apply(connection)
    fortnox.put("/3/articles/A1", {"Article": {"Description": "Ny text"}})
    deliver(connection, event(connection, "articles", "A1"))
    apply(connection)
    org = tenant.organization
    assert Article.objects.get(organization=org, article_number="A1").description == "Ny text"
    assert Customer.objects.get(organization=org, customer_number="K9").customer_type == Customer.Type.COMPANY
    assert Supplier.objects.get(organization=org, supplier_number="L1").name == "Grossisten"


def test_the_offset_is_committed_only_after_the_events_work_is(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    seen_while_saving = []

    def saved(sender, instance, created, **kwargs):
        if created and instance.organization_id == tenant.organization.pk:
            seen_while_saving.append(dict(committed(connection)))

    post_save.connect(saved, sender=SalesOrder)
    try:
        deliver(connection, event(connection, "orders", created["DocumentNumber"], "created", offset="o-41"))
        apply(connection)
    finally:
        post_save.disconnect(saved, sender=SalesOrder)
    assert seen_while_saving == [{}]
    assert committed(connection) == {"orders": "o-41"}


def test_a_fortnox_failure_leaves_the_event_waiting_and_its_offset_unmoved_a_few_times_then_visible(
        fortnox, connection, tenant, sandbox, company):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    created = order(fortnox, [("A1", 1)])
    sandbox.update_company(company.data, fault_error_rate=1.0, fault_error_status=503)
    deliver(connection, event(connection, "orders", created["DocumentNumber"], "created", offset="o-7"))
    apply(connection)
    assert inbox(connection) == [("orders", "o-7", StreamEvent.Status.PENDING)] and committed(connection) == {}
    apply(connection)
    apply(connection)
    assert inbox(connection) == [("orders", "o-7", StreamEvent.Status.FAILED)]  # bounded: three jobs
    assert IntegrationError.objects.filter(organization=tenant.organization, kind="wms_events_orders").exists()
    sandbox.update_company(company.data, fault_error_rate=0.0)


def test_an_order_announced_before_fortnox_shows_it_is_read_again_and_taken(fortnox, connection, tenant):
    customer(fortnox, "K1")
    article(fortnox, "A1")
    later = {}

    def create_a_second_later():
        time.sleep(1.0)
        later.update(order(fortnox, [("A1", 1)]))

    number = int(order(fortnox, [("A1", 1)])["DocumentNumber"]) + 1  # the number the next order gets
    maker = threading.Thread(target=create_a_second_later)
    maker.start()
    deliver(connection, event(connection, "orders", number, "created"))
    apply(connection)
    maker.join()
    assert str(later["DocumentNumber"]) == str(number)
    assert SalesOrder.objects.filter(organization=tenant.organization, order_number=str(number)).exists()


def test_a_record_fortnox_never_shows_is_left_to_the_reconciliation_in_the_error_log(connection, tenant):
    started = time.monotonic()
    deliver(connection, event(connection, "orders", 987654, "created"))
    apply(connection)
    assert 4.0 <= time.monotonic() - started < 30  # read after 0.5, 1.2 and 2.5 s, then given up
    assert inbox(connection)[0][2] == StreamEvent.Status.LEFT
    entry = IntegrationError.objects.get(organization=tenant.organization, kind="wms_events_orders")
    assert "987654" in str(entry.subject) and "reconciliation" in str(entry.message)
    assert StreamOffset.objects.filter(organization=tenant.organization).exists()


def test_events_of_an_organization_whose_sync_is_off_change_nothing(fortnox, connection, tenant):
    article(fortnox, "A1")
    configure(tenant, active=False)
    deliver(connection, event(connection, "articles", "A1", "created"))
    apply(connection)
    assert not Article.objects.filter(organization=tenant.organization).exists()
    assert inbox(connection)[0][2] == StreamEvent.Status.IGNORED


def test_a_stock_event_in_classic_mode_reads_nothing_and_changes_no_stock_but_its_offset_moves_on(
        fortnox, connection, tenant):
    # Classic mode: Brygga keeps the stock and writes it to Fortnox; no pull reads Fortnox's stock.
    configure(tenant, use_warehouse_module=False, write_stock=True)
    article(fortnox, "A1")
    deliver(connection, event(connection, "articles", "A1", "created"))
    apply(connection)
    stocked = Article.objects.get(organization=tenant.organization, article_number="A1")
    balances_before = list(stocked.balances.values_list("quantity", flat=True))
    fortnox.put("/3/articles/A1", {"Article": {"QuantityInStock": 40}})  # someone changes it in Fortnox
    stock_event = event(connection, "warehouse-stockbalances", "A1", "changed")
    deliver(connection, stock_event)
    apply(connection)
    assert list(stocked.balances.values_list("quantity", flat=True)) == balances_before
    assert inbox(connection)[-1] == ("warehouse-stockbalances", stock_event["offset"], StreamEvent.Status.IGNORED)
    assert committed(connection)["warehouse-stockbalances"] == stock_event["offset"]
    run = SyncRun.objects.filter(organization=tenant.organization, kind=EVENTS_RUN_KIND).latest("pk")
    assert run.api_calls == 0
