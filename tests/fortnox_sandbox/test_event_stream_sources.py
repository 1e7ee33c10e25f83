"""Every way the sandbox changes a record makes an event — its control panel, its control API and
its seed as well as the REST API — because the record store itself records them; a change that
is rolled back makes none."""

import pytest
from django.conf import settings
from django.db import transaction

from fortnox_sandbox.events import EMITTED
from fortnox_sandbox.models import StreamConnection, TopicEvent
from fortnox_sandbox.store import Store
from tests.support.processes import wait_for
from tests.support.sandbox_api import ALL_SCOPES, API, control as call
from tests.support.sandbox_stream import STREAM_TOPICS, access_token, by_topic, shapes
from tests.support.sandbox_warehouse import article, customer

SECRET = settings.FORTNOX_CLIENT_SECRET

pytestmark = pytest.mark.slow


def test_an_order_made_with_the_panel_s_new_order_form_is_an_order_created_event(listening, api, company, browser):
    article(api, "A1")
    number = customer(api)["CustomerNumber"]
    listening.events(2)
    page = browser.post(API + f"_control/companies/{company.database_number}/orders/new",
                        {"customer": number, "article": "A1", "quantity": "3"}, follow=True)
    assert "New order: 201, order 1" in page.content.decode()
    assert shapes(listening.events(1)) == [("orders", "order-created-v1", "1")]


def test_any_change_made_in_the_panel_is_an_event(listening, api, company, browser):
    article(api, "A1", StockGoods=False)
    listening.events(1)
    page = browser.post(API + f"_control/companies/{company.database_number}/fortnox",
                        {"method": "PUT", "path": "3/articles/A1", "body": '{"Article": {"Description": "Skruv M6"}}'},
                        follow=True)
    assert "PUT 3/articles/A1: 200" in page.content.decode()
    assert shapes(listening.events(1)) == [("articles", "article-updated-v1", "A1")]
    assert api.get("3/articles/A1").json()["Article"]["Description"] == "Skruv M6"


def test_the_panel_shows_a_refused_change_with_fortnox_s_answer_and_makes_no_event(listening, company, browser):
    page = browser.post(API + f"_control/companies/{company.database_number}/orders/new",
                        {"customer": "404", "article": "A1", "quantity": "1"}, follow=True)
    assert "New order: 400" in page.content.decode() and "Kan inte hitta kunden" in page.content.decode()
    assert listening.quiet(0.6) == []


def test_changes_through_the_control_api_are_events(listening, api, company):
    article(api, "A1")
    number = customer(api)["CustomerNumber"]
    listening.events(2)
    made = call("post", f"companies/{company.database_number}/fortnox", {
        "method": "POST", "path": "3/orders",
        "body": {"Order": {"CustomerNumber": number, "OrderRows": [{"ArticleNumber": "A1", "OrderedQuantity": 1}]}}})
    assert made.status_code == 200 and made.json()["status"] == 201
    order_number = made.json()["body"]["Order"]["DocumentNumber"]
    cancelled = call("post", f"companies/{company.database_number}/fortnox",
                     {"method": "PUT", "path": f"3/orders/{order_number}/cancel"})
    assert cancelled.json()["status"] == 200
    assert shapes(listening.events(2)) == [("orders", "order-created-v1", order_number),
                                           ("orders", "order-cancelled-v1", order_number)]
    logged = call("get", f"companies/{company.database_number}/events?topic=orders").json()["events"]
    assert [e["type"] for e in logged] == ["order-cancelled-v1", "order-created-v1"]


def test_the_control_api_refuses_a_change_it_cannot_read(company, db):
    assert call("post", f"companies/{company.database_number}/fortnox", {"path": 3}).status_code == 400
    assert call("post", f"companies/{company.database_number}/fortnox",
                {"path": "3/orders", "shoe": 42}).status_code == 400
    unknown = call("post", f"companies/{company.database_number}/fortnox", {"method": "GET", "path": "3/nothing"})
    assert unknown.json()["status"] == 404


def test_seeding_through_the_control_api_makes_created_events(sandbox_stream, company, connect):
    company.warehouse_licence = True
    company.save(update_fields=["warehouse_licence"])
    assert call("post", f"companies/{company.database_number}/seed", {"size": 10}).status_code == 200
    # Seeding resets the company, which ends its tokens: read the events with a fresh one from the start.
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(connect(ALL_SCOPES))],
                         [{"topic": topic, "offset": "0"} for topic in STREAM_TOPICS])
        seen = by_topic(client.events(TopicEvent.objects.filter(company=company).count(), timeout=60))
    for topic in ("articles", "orders", "customers", "suppliers"):
        assert any(kind.endswith("-created-v1") for kind, _ in seen[topic]), topic


def test_a_change_that_is_rolled_back_makes_no_event(transactional_db, company):
    with pytest.raises(RuntimeError), transaction.atomic():
        Store(company, "articles").create("A1", {"ArticleNumber": "A1", "Description": "Skruv"})
        raise RuntimeError("rolled back")
    Store(company, "articles").create("A2", {"ArticleNumber": "A2", "Description": "Mutter"})
    assert list(TopicEvent.objects.values_list("type", "entity_id")) == [("article-created-v1", "A2")]


def test_each_topic_has_its_own_offsets_that_only_grow(transactional_db, company):
    for key in ("A1", "A2", "A3"):
        Store(company, "articles").create(key, {"ArticleNumber": key})
    Store(company, "customers").create("1", {"CustomerNumber": "1"})
    Store(company, "records-without-a-topic").create("x", {})
    offsets = {topic: list(TopicEvent.objects.filter(topic=topic).values_list("sequence", flat=True))
               for topic in EMITTED}
    assert offsets["articles"] == [1, 2, 3] and offsets["customers"] == [1] and offsets["orders"] == []


def test_the_panel_shows_the_stream_s_address_and_latest_events(transactional_db, company, browser, settings):
    settings.FORTNOX_EVENTS_URL = "ws://127.0.0.1:9123/topics-v1"
    Store(company, "orders").create("17", {"DocumentNumber": "17", "Cancelled": False})
    page = browser.get(API + "_control/stream/").content.decode()
    assert "ws://127.0.0.1:9123/topics-v1" in page and "order-created-v1" in page
    assert "order-created-v1" in browser.get(API + f"_control/companies/{company.database_number}/").content.decode()


def test_the_panel_lists_the_connected_clients_with_their_tenants_and_topics(sandbox_stream, api, browser):
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["orders"])
        wait_for(lambda: StreamConnection.objects.filter(subscribed=True).exists(), 10, "the connection's report")
        page = browser.get(API + "_control/stream/").content.decode()
        assert settings.FORTNOX_CLIENT_ID in page and "1234567" in page and "orders <code>1</code>" in page
    wait_for(lambda: not StreamConnection.objects.exists(), 10, "the connection's row to go")
    assert "Nobody is connected." in browser.get(API + "_control/stream/").content.decode()
