"""The sandbox's event stream (`topics-v1`, fortnox_sandbox/EVENTS.md): its commands and their
errors, and the events an edit through the REST API makes, as a client on a real WebSocket
connection sees them (the server runs in its own process on the test database)."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from fortnox_sandbox import events
from fortnox_sandbox.models import Company, Token, TopicEvent
from tests.support.sandbox_api import ALL_SCOPES
from tests.support.sandbox_stream import STREAM_TOPICS, access_token, by_topic, shapes
from tests.support.sandbox_warehouse import article, customer, order, receive, supplier

SECRET = settings.FORTNOX_CLIENT_SECRET

pytestmark = pytest.mark.slow


@pytest.fixture
def make_sandbox_company(db):
    def make():
        return Company.objects.create(database_number=7654321, name="Grannbolaget AB", rate_limit_requests=100_000)

    return make




# --- commands -------------------------------------------------------------------------------------

def test_add_tenants_answers_each_token_with_its_company_and_lists_the_ones_it_cannot_use(sandbox_stream, api, company):
    with sandbox_stream.client() as client:
        answer = client.command({"command": "add-tenants-v1", "clientSecret": SECRET,
                                 "accessTokens": [access_token(api), "no-such-token"]})
        assert answer == {"response": "add-tenants-v1", "result": "ok",
                          "tenantIds": {access_token(api): company.database_number}, "invalidTokens": ["no-such-token"]}
        assert client.command({"command": "list-tenants-v1"}) == {
            "response": "list-tenants-v1", "result": "ok", "tenants": [company.database_number]}
        assert client.command({"command": "remove-tenants-v1", "tenants": [company.database_number]}) == {
            "response": "remove-tenants-v1", "result": "ok", "tenants": [company.database_number]}
        assert client.command({"command": "list-tenants-v1"})["tenants"] == []


def test_a_bad_client_secret_is_an_error_and_adds_no_tenant(sandbox_stream, api):
    with sandbox_stream.client() as client:
        answer = client.command({"command": "add-tenants-v1", "clientSecret": "wrong",
                                 "accessTokens": [access_token(api)]})
        assert (answer["response"], answer["result"], answer["message"]) == (
            "add-tenants-v1", "error", "Invalid client secret")
        assert answer["invalidTokens"] == [access_token(api)]
        assert client.command({"command": "list-tenants-v1"})["tenants"] == []


def test_an_expired_or_revoked_token_is_invalid(sandbox_stream, api, connect):
    revoked = connect(ALL_SCOPES)
    Token.objects.filter(pk__in=Token.objects.order_by("-pk").values("pk")[:1]).update(revoked=True)
    expired = connect(ALL_SCOPES)
    Token.objects.filter(pk__in=Token.objects.order_by("-pk").values("pk")[:1]).update(
        access_expires=timezone.now() - timedelta(seconds=1))
    with sandbox_stream.client() as client:
        answer = client.command({"command": "add-tenants-v1", "clientSecret": SECRET,
                                 "accessTokens": [access_token(revoked), access_token(expired)]})
    assert answer["result"] == "ok" and answer["tenantIds"] == {}
    assert answer["invalidTokens"] == [access_token(revoked), access_token(expired)]


def test_an_unknown_topic_or_an_offset_the_stream_never_wrote_is_listed_as_invalid(sandbox_stream):
    with sandbox_stream.client() as client:
        answer = client.command({"command": "add-topics-v1", "topics": [
            {"topic": "orders"}, {"topic": "employees"}, {"topic": "articles", "offset": "not an offset!"},
            {"topic": "vouchers"}]})
    assert answer == {"response": "add-topics-v1", "result": "ok", "invalidTopics": ["employees", "articles"]}


def test_an_unknown_command_or_a_frame_that_is_no_command_is_an_error(sandbox_stream):
    with sandbox_stream.client() as client:
        assert client.command({"command": "delete-everything-v1"}) == {
            "response": "delete-everything-v1", "result": "error", "message": "Unknown command"}
        assert client.command("this is not JSON")["result"] == "error"
        assert client.command({"topics": []})["result"] == "error"
        assert client.command({"command": "subscribe-v1"}) == {"response": "subscribe-v1", "result": "ok"}


def test_the_stream_answers_only_at_topics_v1(sandbox_stream):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(InvalidStatus) as refused:
        connect(sandbox_stream.url.replace("/topics-v1", "/elsewhere"), open_timeout=10, proxy=None)
    assert refused.value.response.status_code == 404


# --- events of REST edits -------------------------------------------------------------------------

def test_an_order_created_through_the_api_is_an_event_in_fortnox_s_shape(listening, api, company):
    article(api, "A1")
    listening.events(1)  # the article
    number = order(api, [{"ArticleNumber": "A1", "OrderedQuantity": 2}], CustomerNumber=customer(api)["CustomerNumber"])[
        "DocumentNumber"]
    customer_event, order_event = sorted(listening.events(2), key=lambda e: e["topic"])
    assert shapes([customer_event]) == [("customers", "customer-created-v1", "1")]
    assert set(order_event) == {"topic", "offset", "type", "tenantId", "entityId", "timestamp"}
    assert (order_event["topic"], order_event["type"], order_event["tenantId"], order_event["entityId"]) == (
        "orders", "order-created-v1", company.database_number, number)
    assert isinstance(order_event["offset"], str)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00", order_event["timestamp"])


def test_updating_and_cancelling_an_order_are_events_of_their_own(listening, api):
    article(api, "A1")
    number = order(api, [{"ArticleNumber": "A1", "OrderedQuantity": 2}])["DocumentNumber"]
    listening.events(3)
    assert api.put(f"3/orders/{number}", {"Order": {"YourReference": "Åsa"}}).status_code == 200
    assert api.put(f"3/orders/{number}/cancel").status_code == 200
    assert shapes(listening.events(2)) == [("orders", "order-updated-v1", number), ("orders", "order-cancelled-v1", number)]


def test_articles_created_updated_and_deleted_are_events(listening, api):
    article(api, "A1", StockGoods=False)
    assert api.put("3/articles/A1", {"Article": {"Description": "Skruv"}}).status_code == 200
    assert api.delete("3/articles/A1").status_code == 204
    assert shapes(listening.events(3)) == [
        ("articles", "article-created-v1", "A1"), ("articles", "article-updated-v1", "A1"),
        ("articles", "article-deleted-v1", "A1")]


def test_customers_and_suppliers_have_their_own_types(listening, api):
    number = customer(api)["CustomerNumber"]
    assert api.put(f"3/customers/{number}", {"Customer": {"City": "Mölndal"}}).status_code == 200
    supplier_number = supplier(api)["SupplierNumber"]
    assert api.put(f"3/suppliers/{supplier_number}", {"Supplier": {"City": "Borås"}}).status_code == 200
    assert api.delete(f"3/customers/{number}").status_code == 204
    assert by_topic(listening.events(5)) == {
        "customers": [("customer-created-v1", number), ("customer-updated-v2", number), ("customer-deleted-v1", number)],
        "suppliers": [("supplier-created-v1", supplier_number), ("supplier-updated-v1", supplier_number)]}


def test_a_stock_change_is_a_stock_balance_event_of_the_article(listening, api):
    article(api, "A1", QuantityInStock=5)
    assert api.put("3/articles/A1", {"Article": {"QuantityInStock": 8}}).status_code == 200
    assert by_topic(listening.events(3)) == {
        "articles": [("article-created-v1", "A1")],
        "warehouse-stockbalances": [("warehouse-stockbalance-changed-v1", "A1")] * 2}
    assert listening.quiet(0.5) == []  # a change of the stock alone is no article update


def test_only_the_added_tenants_and_topics_are_delivered(sandbox_stream, api, connect, make_sandbox_company):
    other = make_sandbox_company()
    other_api = connect(ALL_SCOPES, company=other)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["orders", "articles"])
        customer(api)
        customer(other_api)
        article(other_api, "B1")
        article(api, "A1")
        assert shapes(client.events(1)) == [("articles", "article-created-v1", "A1")]
        assert client.quiet(0.5) == []


# --- offsets: replay, now, retention --------------------------------------------------------------

def offsets_of_three_articles(sandbox_stream, api) -> list[str]:
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        for number in ("A1", "A2", "A3"):
            article(api, number, StockGoods=False)
        return [event["offset"] for event in client.events(3)]


def test_a_client_replays_a_topic_from_the_offset_it_gives_that_event_included(sandbox_stream, api):
    offsets = offsets_of_three_articles(sandbox_stream, api)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], [{"topic": "articles", "offset": offsets[1]}])
        replayed = client.events(2)
        assert [(e["offset"], e["entityId"]) for e in replayed] == [(offsets[1], "A2"), (offsets[2], "A3")]
        assert client.quiet(0.5) == []


def test_without_an_offset_a_topic_starts_now(sandbox_stream, api):
    offsets_of_three_articles(sandbox_stream, api)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        article(api, "A4", StockGoods=False)
        assert shapes(client.events(1)) == [("articles", "article-created-v1", "A4")]


def test_an_offset_beyond_the_newest_event_starts_now(sandbox_stream, api):
    offsets_of_three_articles(sandbox_stream, api)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], [{"topic": "articles", "offset": "zzzz"}])
        article(api, "A4", StockGoods=False)
        assert shapes(client.events(1)) == [("articles", "article-created-v1", "A4")]


def test_events_older_than_the_retention_are_purged_and_an_older_offset_starts_at_the_earliest_kept(
        sandbox_stream, api, settings):
    offsets = offsets_of_three_articles(sandbox_stream, api)
    TopicEvent.objects.filter(topic="articles", entity_id__in=["A1", "A2"]).update(
        at=timezone.now() - timedelta(days=15))
    assert events.purge() == 2  # the default retention: 14 days
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], [{"topic": "articles", "offset": offsets[0]}])
        assert [(e["offset"], e["entityId"]) for e in client.events(1)] == [(offsets[2], "A3")]
    settings.FORTNOX_SANDBOX_EVENTS_RETENTION_DAYS = 1
    TopicEvent.objects.filter(entity_id="A3").update(at=timezone.now() - timedelta(days=2))
    assert events.purge() == 1


# --- a token that expires on the connection ---------------------------------------------------------

def test_a_tenant_whose_token_expires_gets_a_notice_and_no_more_events_until_added_again(sandbox_stream, api, connect):
    Token.objects.filter(pk=Token.objects.order_by("-pk").values_list("pk", flat=True)[0]).update(
        access_expires=timezone.now() + timedelta(seconds=2))
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        article(api, "A1", StockGoods=False)
        assert shapes(client.events(1)) == [("articles", "article-created-v1", "A1")]
        time.sleep(2.5)
        fresh = connect(ALL_SCOPES)
        fresh.post("3/articles", {"Article": {"ArticleNumber": "A2", "Description": "Mutter"}})
        assert client.quiet(1.5) == []
        assert client.notices == [{"notice": "tenant-removed-v1", "tenantId": 1234567, "reason": "access token expired"}]
        assert client.command({"command": "list-tenants-v1"})["tenants"] == []
        client.command({"command": "add-tenants-v1", "clientSecret": SECRET, "accessTokens": [access_token(fresh)]})
        article(fresh, "A3", StockGoods=False)
        assert shapes(client.events(1)) == [("articles", "article-created-v1", "A3")]


def test_with_lager_one_stock_movement_is_one_stock_balance_event(sandbox_stream, unlimited, connect):
    unlimited.warehouse_licence = True
    unlimited.save(update_fields=["warehouse_licence"])
    lager = connect(ALL_SCOPES)  # a token that covers Lager
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(lager)], STREAM_TOPICS)
        article(lager, "A1")
        client.events(1)
        receive(lager, "A1", 10)
        assert by_topic(client.quiet(1.0)) == {
            "warehouse-stockbalances": [("warehouse-stockbalance-changed-v1", "A1")]}
