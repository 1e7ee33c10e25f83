"""Malformed and hostile Fortnox answers to the warehouse importers: records with wrong types,
missing keys, huge strings and numbers that are not numbers, mixed with good records in one
answer; HTML error pages, cut-off JSON and broken MetaInformation in place of a list or a record;
hostile answers to the stock write-back. They are served by the stand-in broken Fortnox of
`conftest` (the sandbox, being a faithful Fortnox, never sends them). Good records must be
imported, each bad one reported by its number and skipped, the run must finish with the reason,
and nothing Brygga already had may be lost or overwritten with garbage."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent, SyncRun
from integrations.warehouse_sync.importers import ORDER_LINK, PURCHASE_ORDER_LINK
from integrations.warehouse_sync.models import WarehouseSyncSettings
from tests.support.bad_input import EXAMPLES, HTML_ERROR_PAGE, as_bytes, cut_short, fresh_connection
from tests.support.warehouse_sync import configure, sync
from warehouse import actions as warehouse_actions
from warehouse.models import (
    Article,
    Customer,
    OrderType,
    PurchaseOrder,
    PurchaseOrderRow,
    SalesOrder,
    SalesOrderRow,
    StockBalance,
    StockMovement,
    Supplier,
)

# Answers that break a whole list or record, or the stock write-back, are few: fewer examples.
FEW = hypothesis_settings(EXAMPLES, max_examples=25)

KEEP = "KEEP"  # the number of a record of each kind Brygga already has; bad records may name it
KINDS = ("suppliers", "articles", "customers", "orders", "purchase_orders")
PULL_FLAGS = {kind: f"pull_{kind}" for kind in KINDS}
NOT_FOUND = (404, "application/json", as_bytes({"ErrorInformation": {"error": 1, "message": "Kan inte hitta posten.",
                                                                      "code": 2000433}}))


def ok(document) -> tuple:
    return 200, "application/json", as_bytes(document)


def empty_list(collection: str) -> tuple:
    return ok({collection: [], "MetaInformation": {"@TotalResources": 0, "@TotalPages": 1, "@CurrentPage": 1}})


# What every warehouse run reads besides the kind under test, answered well so that only the
# kind's own answers can fail the run: the warehouse mode (Lager off, as the settings say) and
# the ways and terms of delivery an order pull reads first.
RUN_BASICS = {
    "/api/warehouse/tenants-v4": ok({"activated": False}),
    "/3/wayofdeliveries": empty_list("WayOfDeliveries"),
    "/3/termsofdeliveries": empty_list("TermsOfDeliveries"),
}


# --- what Brygga has before each example -----------------------------------------------------


def fresh_warehouse(organization) -> None:
    """Each example starts from the same warehouse: the KEEP record of every kind (an order and a
    purchase order linked to Fortnox), the customer K1, the supplier L1 and the article A1 that
    good orders and purchase orders name, and no runs, errors or cursors."""
    for model in (ExternalLink, IntegrationError, OutboxEvent, SyncRun, StockMovement, StockBalance, SalesOrder,
                  PurchaseOrder, Article, Supplier, Customer, OrderType, WarehouseSyncSettings):
        model.objects.filter(organization=organization).delete()
    supplier = Supplier.objects.create(organization=organization, supplier_number="L1", name="Leverantör L1")
    Supplier.objects.create(organization=organization, supplier_number=KEEP, name="Original supplier")
    article = Article.objects.create(organization=organization, article_number="A1", description="Artikel A1")
    Article.objects.create(organization=organization, article_number=KEEP, description="Original article", weight=100)
    customer = Customer.objects.create(organization=organization, customer_number="K1", name="Kund K1")
    Customer.objects.create(organization=organization, customer_number=KEEP, name="Original customer")
    order = SalesOrder.objects.create(organization=organization, order_number=KEEP, customer=customer,
                                      remarks="Original order")
    SalesOrderRow.objects.create(order=order, article=article, ordered_quantity=2)
    purchase_order = PurchaseOrder.objects.create(organization=organization, order_number=KEEP, supplier=supplier,
                                                  note="Original purchase order")
    PurchaseOrderRow.objects.create(purchase_order=purchase_order, article=article, ordered_quantity=5)
    for kind, obj in ((ORDER_LINK, order), (PURCHASE_ORDER_LINK, purchase_order)):
        ExternalLink.objects.create(organization=organization, kind=kind, local_object=obj, external_id=KEEP)


def fresh_start(tenant, kind: str | None) -> dict:
    """A connected organization with the warehouse of `fresh_warehouse`, pulling `kind` only (no
    kind: nothing); what it holds of its KEEP records."""
    fresh_connection(tenant.organization)
    fresh_warehouse(tenant.organization)
    configure(tenant, order_selection=WarehouseSyncSettings.OrderSelection.OPEN, set_order_type=False,
              **{flag: name == kind for name, flag in PULL_FLAGS.items()})
    return kept_records(tenant.organization)


# --- the importers, as the tests see them ------------------------------------------------------


@dataclass(frozen=True)
class Importer:
    kind: str
    path: str  # of the list; a record's is path/number
    key: str  # Fortnox's name of the record's number
    text: str  # a text field the warehouse keeps (Fortnox's name)
    limit: int  # the most of it the warehouse keeps
    model: type
    number_field: str
    text_field: str
    envelope: tuple[str, str] | None  # the list's and the record's key; None: the warehouse API, no envelope
    good_extra: dict = field(default_factory=dict)  # what else a good record of the kind holds
    rows: tuple[str, str, str] | None = None  # Fortnox's names of the rows, their article and their quantity
    row_extra: dict = field(default_factory=dict)

    def good(self, number, text: str, quantity: str) -> dict:
        document = {self.key: number, self.text: text, **self.good_extra}
        if self.rows:
            rows, article, ordered = self.rows
            document[rows] = [{article: "A1", ordered: quantity, **self.row_extra}]
        return document

    def ordered(self, document: dict) -> list:
        rows, article, ordered = self.rows
        return [(row[article], Decimal(row[ordered])) for row in document[rows]]

    def list_body(self, items: list) -> dict | list:
        if self.envelope is None:
            return items
        return {self.envelope[0]: items, "MetaInformation": {"@TotalResources": len(items), "@TotalPages": 1,
                                                             "@CurrentPage": 1}}

    def record_path(self, number) -> str:
        return f"{self.path}/{number}"

    def record_body(self, document) -> dict:
        return document if self.envelope is None else {self.envelope[1]: document}

    def stored(self, organization, number: str) -> dict | None:
        """What Brygga holds for the record with this number (None: nothing)."""
        obj = self.model.objects.filter(organization=organization, **{self.number_field: number}).first()
        if obj is None:
            return None
        values = {"text": getattr(obj, self.text_field)}
        if self.kind == "articles":
            values["weight"] = obj.weight
        if self.rows:
            values["rows"] = [(row.article.article_number, row.ordered_quantity)
                              for row in obj.rows.select_related("article")]
        return values

    def assert_imported(self, organization, document: dict) -> None:
        stored = self.stored(organization, document[self.key])
        assert stored is not None and stored["text"] == document[self.text][:self.limit]
        if self.rows:
            assert stored["rows"] == self.ordered(document)


IMPORTERS = {importer.kind: importer for importer in (
    Importer("suppliers", "/3/suppliers", "SupplierNumber", "Name", 200, Supplier, "supplier_number", "name",
             ("Suppliers", "Supplier"), good_extra={"Active": True}),
    Importer("articles", "/3/articles", "ArticleNumber", "Description", 200, Article, "article_number", "description",
             ("Articles", "Article"), good_extra={"StockGoods": True, "Unit": "st"}),
    Importer("customers", "/3/customers", "CustomerNumber", "Name", 200, Customer, "customer_number", "name",
             ("Customers", "Customer"), good_extra={"Type": "COMPANY"}),
    Importer("orders", "/3/orders", "DocumentNumber", "Remarks", 1024, SalesOrder, "order_number", "remarks",
             ("Orders", "Order"),
             good_extra={"CustomerNumber": "K1", "OrderDate": "2026-01-05", "Cancelled": False, "InvoiceReference": "0"},
             rows=("OrderRows", "ArticleNumber", "OrderedQuantity"), row_extra={"Price": "100"}),
    Importer("purchase_orders", "/api/warehouse/purchaseorders-v1", "id", "note", 1000, PurchaseOrder, "order_number",
             "note", None, good_extra={"supplierNumber": "L1", "orderDate": "2026-01-05", "deliveryDate": "2026-01-20"},
             rows=("rows", "itemId", "orderedQuantity"), row_extra={"id": 1}),
)}


def serve(server, importer: Importer, documents: list, record_replies: dict | None = None) -> None:
    """The list answers with `documents`; each one with a readable number can also be read
    whole (`record_replies` overrides the answer for some numbers); anything else is not found."""
    routes = {**RUN_BASICS, importer.path: ok(importer.list_body(documents))}
    if importer.kind == "orders":
        # Fortnox has the order Brygga holds (KEEP) as Brygga has it: a pull without a cursor also
        # reads the queue's orders its lists did not return, to see any Fortnox cancelled.
        routes[importer.record_path(KEEP)] = ok(importer.record_body(importer.good(KEEP, "Original order", "2")))
    for document in documents:
        number = document.get(importer.key) if isinstance(document, dict) else None
        if isinstance(number, str | int) and not isinstance(number, bool):
            routes[importer.record_path(number)] = ok(importer.record_body(document))
    routes.update({importer.record_path(number): reply for number, reply in (record_replies or {}).items()})
    server.routes, server.reply = routes, NOT_FOUND


# --- hostile values ----------------------------------------------------------------------------

texts = (st.text(alphabet="abcdefåäöÅÄÖ 0123456789-", min_size=1, max_size=40).map(str.strip).filter(bool)
         | st.integers(min_value=10_000, max_value=100_000).map(lambda n: "Ö" * n))
quantities = st.sampled_from(["1", "3", "2.5", "12.125", "999"]) | st.integers(min_value=1, max_value=10_000).map(str)
unreadable_numbers = (st.sampled_from([None, "", "   ", {}, {"Number": 1}, [], ["A1"], True, False, 1.5, "A\x00B"])
                      | st.integers(min_value=51, max_value=100_000).map(lambda n: "9" * n))
not_numbers = st.sampled_from([float("nan"), float("inf"), "NaN", "1e400", "-1e400", "abc", {}, [1], True])
too_large = st.sampled_from([float("inf"), float("nan"), "1e400", "NaN", "abc", {}, [2]])
not_text = st.sampled_from([{}, {"sv": "Namn"}, [], ["a", "b"], True])
not_dates = st.sampled_from(["yesterday", "2026-13-45", 20260105, {}, [], True])


def replacing(name, values):
    return values.map(lambda value: lambda document: {**document, name: value})


def without(name):
    return st.just(lambda document: {key: value for key, value in document.items() if key != name})


def in_the_row(rows: str, name, values):
    return values.map(lambda value: lambda document: {**document, rows: [{**document[rows][0], name: value}]})


def in_a_row_without(rows: str, name):
    return st.just(lambda document: {**document, rows: [{k: v for k, v in document[rows][0].items() if k != name}]})


# Changes that make a record one the warehouse cannot take: each must be reported, never stored.
BREAKING = {
    "suppliers": st.one_of(replacing("Name", not_text), replacing("Email", not_text), replacing("Phone", not_text)),
    "articles": st.one_of(
        replacing("Description", not_text), replacing("Weight", too_large), replacing("Depth", too_large),
        replacing("Unit", not_text), replacing("SupplierNumber", st.sampled_from(["NOSUCH", {}, "9" * 60])),
    ),
    "customers": st.one_of(replacing("Name", not_text), replacing("Address1", not_text), replacing("City", not_text)),
    "orders": st.one_of(
        replacing("Remarks", not_text), without("CustomerNumber"), replacing("CustomerNumber", unreadable_numbers),
        replacing("CustomerNumber", st.just("NOSUCH")), replacing("OrderDate", not_dates),
        replacing("DeliveryDate", not_dates), replacing("EmailInformation", st.sampled_from(["a@b.se", ["x"], 5])),
        replacing("OrderRows", st.sampled_from(["A1 x 2", {"ArticleNumber": "A1"}, [5], [None], ["A1"], True])),
        in_the_row("OrderRows", "OrderedQuantity", not_numbers),
        in_the_row("OrderRows", "ArticleNumber", st.sampled_from(["NOSUCH", {}, ["A1"], "9" * 60])),
        in_the_row("OrderRows", "Description", not_text),
    ),
    "purchase_orders": st.one_of(
        replacing("note", not_text), without("supplierNumber"), replacing("supplierNumber", unreadable_numbers),
        replacing("supplierNumber", st.just("NOSUCH")), replacing("orderDate", not_dates),
        replacing("rows", st.sampled_from(["A1 x 2", {"itemId": "A1"}, [5], [None], True])),
        in_the_row("rows", "orderedQuantity", not_numbers), in_a_row_without("rows", "itemId"),
        in_a_row_without("rows", "id"), in_the_row("rows", "itemId", st.sampled_from(["NOSUCH", {}, "9" * 60])),
    ),
}
def only_the_number(importer: Importer):
    """Null everywhere but in the record's number."""
    return st.just(lambda document: {key: (value if key == importer.key else None) for key, value in document.items()})


# Changes the warehouse may take or refuse (null everywhere, prices it does not use, negative
# quantities, numbers where text is expected, characters a database refuses): either way the run
# goes on, and whatever is stored is clean.
TOLERATED = {
    kind: st.one_of(
        only_the_number(importer),
        replacing(importer.text, st.sampled_from([12345, 1.5, "  spaces around  ", "NUL\x00inside", "\ud800 alone"])),
        replacing("SalesPrice", not_numbers), replacing("Price", not_numbers),
        *([in_the_row("OrderRows", "OrderedQuantity", st.sampled_from(["-3", -1, "0", "", None])),
           in_the_row("OrderRows", "Price", not_numbers)] if kind == "orders" else []),
        *([in_the_row("rows", "orderedQuantity", st.sampled_from(["-3", -1, "0", "", None]))]
          if kind == "purchase_orders" else []),
        *([replacing("Weight", st.sampled_from([-5, "-1e400", "", None, "12.7"])),
           replacing("EAN", st.sampled_from(["12345", "7310865004703" * 100, {}, None]))]
          if kind == "articles" else []),
    )
    for kind, importer in IMPORTERS.items()
}


@st.composite
def pages(draw, importer: Importer) -> dict:
    """One list answer mixing good records (numbers G0, G1, …), broken ones (numbers B0, … or
    KEEP), tolerable ones (T0, …) and ones without a readable number, in any order; a good one may
    come twice, as when a record moves between pages while they are read."""
    good = [importer.good(f"G{n}", draw(texts), draw(quantities)) for n in range(draw(st.integers(0, 3)))]
    broken_numbers = [f"B{n}" for n in range(draw(st.integers(0, 3)))] + ([KEEP] if draw(st.booleans()) else [])
    broken = [draw(BREAKING[importer.kind])(importer.good(number, "Trasig", "1")) for number in broken_numbers]
    tolerated = [draw(TOLERATED[importer.kind])(importer.good(f"T{n}", "Tålig", "1"))
                 for n in range(draw(st.integers(0, 2)))]
    unnumbered = draw(st.lists(st.one_of(
        st.sampled_from([None, 5, "text", [], [1, 2]]),
        unreadable_numbers.map(lambda number: importer.good(number, "Utan nummer", "1")),
        st.just({importer.text: "Inget nummer alls"}),
    ), max_size=2))
    again = good[:1] if draw(st.booleans()) else []
    documents = draw(st.permutations(good + again + broken + tolerated + unnumbered))
    return {"documents": documents, "good": good, "broken": broken_numbers,
            "tolerated": [document[importer.key] for document in tolerated], "unnumbered": len(unnumbered)}


def kept_records(organization) -> dict:
    return {kind: importer.stored(organization, KEEP) for kind, importer in IMPORTERS.items()}


def run_errors(run) -> list[IntegrationError]:
    return list(IntegrationError.objects.filter(sync_run=run))


def assert_finished_with_reasons(run) -> None:
    assert run.is_finished and run.status != SyncRun.Status.FAILED, (run.status, run.error, run.log)
    errors = run_errors(run)
    assert (run.status == SyncRun.Status.PARTIAL) == bool(errors), run.log
    for error in errors:
        assert error.message and len(error.message) < 1000 and len(error.subject) <= 200, error.message[:2000]
    assert len(run.log) < 20_000, "the log names bad values, it does not copy them"


# --- the tests ---------------------------------------------------------------------------------


@EXAMPLES
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_good_records_are_imported_and_each_bad_one_is_reported_by_its_number_and_skipped(broken_fortnox, tenant, data, kind):
    organization, importer = tenant.organization, IMPORTERS[kind]
    before = fresh_start(tenant, kind)
    page = data.draw(pages(importer))
    serve(broken_fortnox, importer, page["documents"])

    run = sync(tenant)

    assert_finished_with_reasons(run)
    for document in page["good"]:
        importer.assert_imported(organization, document)
    reported = {error.subject.rsplit(" ", 1)[-1] for error in run_errors(run)}  # "Articles B0"
    for number in page["broken"]:
        assert number in reported, f"{number} is not reported: {run.log}"
        assert number == KEEP or importer.stored(organization, number) is None, f"{number} was stored: {run.log}"
    for number in page["tolerated"]:
        stored = importer.stored(organization, number)
        assert stored is not None or number in reported, run.log
        assert stored is None or "\x00" not in stored["text"]
    assert run.counts.get(f"{kind}_failed", 0) >= len(page["broken"]) + page["unnumbered"], run.log
    assert kept_records(organization) == before, "a record Brygga had was changed by a bad one"
    cursors = WarehouseSyncSettings.get_or_create_for(organization).cursors
    assert (kind in cursors) == (not run_errors(run)), "a kind with a skipped record is read from the same point again"


@pytest.mark.parametrize("number", [{}, {"Number": 1}, [], ["A1"]], ids=["object", "object with a number", "list", "list with a number"])
def test_an_order_numbered_with_an_object_or_a_list_is_reported_and_the_good_order_beside_it_imported(broken_fortnox, tenant, number):
    organization, importer = tenant.organization, IMPORTERS["orders"]
    fresh_start(tenant, "orders")
    good = importer.good("G1", "Bra", "1")
    serve(broken_fortnox, importer, [importer.good(number, "Utan nummer", "1"), good])

    run = sync(tenant)

    assert_finished_with_reasons(run)
    importer.assert_imported(organization, good)
    assert run.counts.get("orders_failed", 0) == 1, run.log


def html(status: int) -> tuple:
    return status, "text/html; charset=utf-8", HTML_ERROR_PAGE


@st.composite
def broken_lists(draw, importer: Importer) -> tuple:
    good_page = importer.list_body([importer.good("G0", "Bra", "1")])
    answers = [html(200), html(502), (200, "application/json", b""),
               (200, "application/json", draw(cut_short(st.just(as_bytes(good_page))))),
               ok({"Fel": "inte en lista"}), ok("en sträng"), ok(None)]
    if importer.envelope is not None:
        records = [importer.good("G0", "Bra", "1")]
        answers += [ok({importer.envelope[0]: records, "MetaInformation": {"@TotalPages": pages}})
                    for pages in ("många", [2], float("inf"), float("nan"), "1e400")]
        answers += [ok({importer.envelope[0]: "G0"}), ok({importer.envelope[0]: {importer.key: "G0"}})]
    return draw(st.sampled_from(answers))


@FEW
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_a_list_answer_brygga_cannot_read_fails_its_kind_with_the_reason_and_changes_nothing(broken_fortnox, tenant, data, kind):
    organization, importer = tenant.organization, IMPORTERS[kind]
    before = fresh_start(tenant, kind)
    broken_fortnox.routes, broken_fortnox.reply = {**RUN_BASICS, importer.path: data.draw(broken_lists(importer))}, NOT_FOUND

    run = sync(tenant)

    assert run.status == SyncRun.Status.PARTIAL and run.data["failed_kinds"] == [kind], run.log
    assert_finished_with_reasons(run)
    assert IntegrationError.objects.get(sync_run=run).kind == f"wms_{kind}"
    assert kept_records(organization) == before
    assert kind not in WarehouseSyncSettings.get_or_create_for(organization).cursors


record_answers = st.one_of(
    st.sampled_from([html(200), html(502), (200, "application/json", b"")]),
    cut_short(st.just(as_bytes({"Article": {"ArticleNumber": "B0", "Description": "Avklippt"}})))
    .map(lambda body: (200, "application/json", body)),
)


@FEW
@given(data=st.data(), kind=st.sampled_from(["articles", "customers", "orders"]), answer=record_answers)
def test_an_unreadable_answer_for_one_record_keeps_what_was_imported_and_fails_the_kind(broken_fortnox, tenant, data, kind, answer):
    """The records read before it are imported; the kind fails with the reason and its cursor
    stays, so the next run reads the rest."""
    organization, importer = tenant.organization, IMPORTERS[kind]
    before = fresh_start(tenant, kind)
    good = [importer.good(f"G{n}", data.draw(texts), "1") for n in range(data.draw(st.integers(0, 3)))]
    documents = data.draw(st.permutations([*good, importer.good("B0", "Trasig", "1")]))
    serve(broken_fortnox, importer, documents, record_replies={"B0": answer})

    run = sync(tenant)

    assert run.status == SyncRun.Status.PARTIAL and run.data["failed_kinds"] == [kind], run.log
    assert_finished_with_reasons(run)
    assert importer.stored(organization, "B0") is None and kept_records(organization) == before
    for document in good:
        if importer.stored(organization, document[importer.key]) is not None:
            importer.assert_imported(organization, document)
    assert kind not in WarehouseSyncSettings.get_or_create_for(organization).cursors


stock_answers = st.one_of(
    st.sampled_from([html(200), html(502), (200, "application/json", b"{\"Article\": {\"Quantity"),
                     (400, "application/json", as_bytes({"ErrorInformation": {"code": 2000588, "message": "Ogiltigt"}})),
                     (200, "application/json", as_bytes({"Article": {"ArticleNumber": KEEP, "QuantityInStock": "NaN"}})),
                     (200, "application/json", as_bytes([1, 2])), (204, "application/json", b""), NOT_FOUND]),
    st.tuples(st.sampled_from([200, 400, 500, 503]), st.just("application/json"), st.binary(max_size=40)),
)


@FEW
@given(answer=stock_answers)
def test_a_hostile_answer_to_the_stock_write_back_fails_the_step_and_it_is_written_again_next_time(broken_fortnox, tenant, answer):
    organization = tenant.organization
    fresh_start(tenant, None)
    configure(tenant, write_stock=True, use_warehouse_module=False)
    article = Article.objects.get(organization=organization, article_number=KEEP)
    warehouse_actions.do_move_stock(article=article, kind=StockMovement.Kind.ADJUSTMENT, quantity=Decimal("7"),
                                    by=tenant.warehouse)
    broken_fortnox.routes, broken_fortnox.reply = {**RUN_BASICS, f"/3/articles/{KEEP}": answer}, NOT_FOUND

    run = sync(tenant)

    assert_finished_with_reasons(run)
    assert StockBalance.objects.get(article=article).quantity == 7
    written = ExternalLink.links_for(organization, "wms_article", Article).filter(object_id=article.pk).first()
    if run.counts.get("stock_written"):
        assert written.last_synced_values == {"QuantityInStock": "7"} and 200 <= answer[0] < 300
    else:
        assert written is None and run_errors(run)[0].kind == "wms_stock"


def test_the_stand_in_serves_good_records_as_fortnox_does(broken_fortnox, tenant):
    """The check on the checks: with good records only, every importer imports them all."""
    organization = tenant.organization
    for kind, importer in IMPORTERS.items():
        fresh_start(tenant, kind)
        good = [importer.good("G0", "Bra", "2"), importer.good("G1", "Ö" * 100_000, "1.5")]
        serve(broken_fortnox, importer, good)
        run = sync(tenant)
        assert run.status == SyncRun.Status.SUCCEEDED and run.counts[f"{kind}_created"] == 2, run.log
        for document in good:
            importer.assert_imported(organization, document)


def test_a_record_that_stays_bad_in_every_run_is_one_error_log_entry_with_a_count(broken_fortnox, tenant):
    """Issue 15, defect 10: each run added another entry for the same bad record."""
    importer = IMPORTERS["articles"]
    fresh_start(tenant, "articles")
    serve(broken_fortnox, importer, [{**importer.good("B0", "Trasig", "1"), "Description": {"not": "text"}}])

    first, second = sync(tenant), sync(tenant)

    entry = IntegrationError.objects.get(organization=tenant.organization)
    assert entry.subject.endswith("B0") and entry.occurrences == 2 and entry.sync_run == second
    assert entry.last_seen_at >= second.started_at > entry.created_at and first.status == second.status == SyncRun.Status.PARTIAL
