"""The stream's faults (fortnox_sandbox/EVENTS.md), set per company as the REST faults are:
duplicated events, dropped connections, delayed delivery, and an event that arrives before a
REST read shows its change."""

import time

import pytest
from django.conf import settings
from websockets.exceptions import ConnectionClosed

from tests.support.sandbox_api import control as call
from tests.support.sandbox_stream import access_token, shapes
from tests.support.sandbox_warehouse import article

SECRET = settings.FORTNOX_CLIENT_SECRET

pytestmark = pytest.mark.slow


def faults(company, **fields):
    changed = call("patch", f"companies/{company.database_number}", fields)
    assert changed.status_code == 200, changed.content


def articles(api, *numbers):
    for number in numbers:
        article(api, number, StockGoods=False)


def test_with_duplicates_each_event_comes_twice_with_the_same_offset(sandbox_stream, api, company):
    faults(company, fault_stream_duplicate_rate=1)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        articles(api, "A1", "A2")
        got = client.events(4)
    assert [(e["entityId"], e["offset"]) for e in got] == [
        ("A1", got[0]["offset"]), ("A1", got[0]["offset"]), ("A2", got[2]["offset"]), ("A2", got[2]["offset"])]


def test_a_dropped_connection_closes_after_n_events_and_the_client_resumes_from_its_last_offset(
        sandbox_stream, api, company):
    faults(company, fault_stream_drop_after=2)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        articles(api, "A1", "A2", "A3")
        first, second = client.events(2)
        with pytest.raises(ConnectionClosed) as closed:
            client.events(1, timeout=5)
        assert closed.value.rcvd.code == 1011
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], [{"topic": "articles", "offset": second["offset"]}])
        assert [e["entityId"] for e in client.events(2)] == ["A2", "A3"]


def test_the_drop_rate_closes_the_connection_after_an_event(sandbox_stream, api, company):
    faults(company, fault_stream_drop_rate=1)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        articles(api, "A1", "A2")
        assert [e["entityId"] for e in client.events(1)] == ["A1"]
        with pytest.raises(ConnectionClosed):
            client.events(1, timeout=5)


def test_a_seeded_drop_is_drawn_again_when_its_event_is_sent_anew_so_a_resuming_client_gets_further(
        sandbox_stream, api, company):
    faults(company, fault_stream_drop_rate=0.5, fault_seed=1)
    topics, seen, drops = ["articles"], {}, 0
    for _ in range(12):
        with sandbox_stream.client() as client:
            client.subscribe(SECRET, [access_token(api)], topics)
            if not seen:
                articles(api, "A1", "A2", "A3", "A4")
            try:
                while (event := client.receive(2)) is not None:
                    seen[event["entityId"]] = event["offset"]
                    topics = [{"topic": "articles", "offset": event["offset"]}]  # resume inclusively
            except ConnectionClosed:
                drops += 1
        if len(seen) == 4:
            break
    assert drops >= 1 and sorted(seen) == ["A1", "A2", "A3", "A4"]


def test_drop_after_one_is_refused_because_a_resuming_client_would_never_get_further(company, db):
    refused = call("patch", f"companies/{company.database_number}", {"fault_stream_drop_after": 1})
    assert refused.status_code == 400 and "fault_stream_drop_after" in refused.json()["errors"]


def test_delayed_events_arrive_that_much_later_in_their_order(sandbox_stream, api, company):
    faults(company, fault_stream_delay_ms=1500)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        started = time.monotonic()
        articles(api, "A1", "A2")
        # Nothing before 1.5 s after the first article (less what making them took on a busy machine).
        assert client.quiet(max(0.0, started + 1.2 - time.monotonic())) == []
        assert [e["entityId"] for e in client.events(2)] == ["A1", "A2"]
        assert time.monotonic() - started >= 1.5


def test_an_event_can_come_before_a_rest_read_shows_the_change(sandbox_stream, api, company):
    faults(company, fault_stream_stale_read_seconds=3)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        created_at = time.monotonic()
        articles(api, "A1")
        assert shapes(client.events(1)) == [("articles", "article-created-v1", "A1")]
        assert api.get("3/articles/A1").status_code == 404  # not readable yet
        time.sleep(max(0.0, 3.2 - (time.monotonic() - created_at)))
        assert api.get("3/articles/A1").json()["Article"]["Description"] == "Artikel A1"
        updated_at = time.monotonic()
        assert api.put("3/articles/A1", {"Article": {"Description": "Skruv"}}).status_code == 200
        assert shapes(client.events(1)) == [("articles", "article-updated-v1", "A1")]
        assert api.get("3/articles/A1").json()["Article"]["Description"] == "Artikel A1"  # the old version
        time.sleep(max(0.0, 3.2 - (time.monotonic() - updated_at)))
        assert api.get("3/articles/A1").json()["Article"]["Description"] == "Skruv"


def test_seeded_stream_faults_are_the_same_every_run(sandbox_stream, api, company):
    faults(company, fault_stream_duplicate_rate=0.5, fault_seed=1)
    with sandbox_stream.client() as client:
        client.subscribe(SECRET, [access_token(api)], ["articles"])
        articles(api, *[f"A{n}" for n in range(8)])
        first = [e["entityId"] for e in client.quiet(2.0)]
    with sandbox_stream.client() as client:
        offset = call("get", f"companies/{company.database_number}/events?topic=articles&limit=500").json()[
            "events"][-1]["offset"]
        client.subscribe(SECRET, [access_token(api)], [{"topic": "articles", "offset": offset}])
        again = [e["entityId"] for e in client.quiet(2.0)]
    assert first == again and len(first) > 8
