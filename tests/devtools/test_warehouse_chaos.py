"""Warehouse work (fulfilments, stock adjustments, receipts, returns) reported through the outbox
while the sandbox injects faults; afterwards Fortnox holds exactly what Brygga reported."""

import random
from decimal import Decimal

import pytest

from devtools.chaos import ChaosRun, drain
from devtools.chaos.warehouse import ARTICLES, LOCAL_PURCHASE_ORDER, WarehouseChaos
from integrations.core.models import IntegrationError, OutboxEvent
from integrations.fortnox.client import FortnoxClient
from integrations.warehouse_sync.exporters import CUSTOM_DOCUMENTS, INCOMING_GOODS, delivery_note_of
from integrations.warehouse_sync.receivers import do_report_purchase_order
from tests.support.chaos import CLIENT_TIMEOUT, SEEDS, assert_faults_were_injected
from warehouse import actions as warehouse_actions
from warehouse.models import Adjustment, PurchaseOrder, SalesOrder

# Seeds of many changes under injected faults: up to a minute each on a quiet machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def warehouse_chaos(activated, tenant, sandbox, fortnox_company, compressed_time) -> ChaosRun:
    chaos = ChaosRun(tenant.organization, sandbox, fortnox_company.data,
                     [WarehouseChaos(tenant.organization, sandbox, fortnox_company.data)], client_timeout=CLIENT_TIMEOUT)
    with FortnoxClient(activated, timeout=30) as client:  # arranging, not under test: no short timeout
        chaos.prepare(client)
    return chaos


@pytest.mark.parametrize("seed", SEEDS)
def test_warehouse_work_under_faults_ends_with_brygga_and_fortnox_in_agreement(warehouse_chaos, sandbox, fortnox_company, tenant, seed):
    result = warehouse_chaos.run(seed, batches=len(warehouse_chaos.profiles), steps_per_batch=3)

    assert result.disagreements == [], "\n".join(result.steps + result.disagreements)
    assert_faults_were_injected(sandbox, fortnox_company.data)
    assert OutboxEvent.objects.filter(organization=tenant.organization, status=OutboxEvent.Status.DONE).count() > len(ARTICLES)
    cancelled = SalesOrder.objects.get(organization=tenant.organization, order_number=warehouse_chaos.domains[0].cancelled_number)
    entry = IntegrationError.objects.get(organization=tenant.organization, kind="wms_fulfilment", object_id=cancelled.pk)
    assert entry.status == IntegrationError.Status.OPEN and "cancelled in Fortnox" in entry.message


def test_the_check_names_a_document_voided_and_incoming_goods_doubled_in_fortnox(warehouse_chaos, activated, tenant):
    domain = warehouse_chaos.domains[0]
    domain.step(random.Random(1), 0)  # the order Fortnox cancelled: explained, not a disagreement
    fortnox_order = PurchaseOrder.objects.filter(organization=tenant.organization).exclude(order_number=LOCAL_PURCHASE_ORDER).first()
    row = fortnox_order.rows.exclude(article__article_number=ARTICLES[0]).first()
    receipt = warehouse_actions.do_receive_purchase_order(fortnox_order, {row.pk: Decimal("3")}, None)
    do_report_purchase_order(fortnox_order)
    drain(tenant.organization)
    assert warehouse_chaos.disagreements() == []

    counted = Adjustment.objects.filter(organization=tenant.organization, article__article_number=ARTICLES[0]).get()
    note = delivery_note_of(receipt)
    with FortnoxClient(activated) as fortnox:  # someone at work in Fortnox
        fortnox.put(f"{CUSTOM_DOCUMENTS}/inbound-v1/BryggaInboundInventory/{counted.pk}/void")
        (goods,) = fortnox.get(INCOMING_GOODS, {"deliveryNote": note})
        original = fortnox.get(f"{INCOMING_GOODS}/{goods['id']}")
        fortnox.post(INCOMING_GOODS, {"deliveryNoteId": note, "supplierNumber": original["supplierNumber"], "rows": [
            {"itemId": line["itemId"], "receivedQuantity": line["receivedQuantity"]} for line in original["rows"]]})

    problems = warehouse_chaos.disagreements()

    assert f"document BRYGGAINBOUNDINVENTORY/{counted.pk} is voided in Fortnox" in problems
    assert f"stock of {ARTICLES[0]}: 0 in Fortnox, 20 from Brygga's movements" in problems
    assert f"Fortnox holds 2 incoming goods for receipt {receipt.pk} ({note})" in problems
