"""Chaos on Fortnox's event stream (issue 19): a seeded sequence of changes made in Fortnox itself
(the sandbox's control API: its own rules, no token, rate limit or fault) while the stream sends
events twice, late and over connections it drops, Fortnox's REST API answers 20 % of Brygga's
requests with a 503, and the listener is killed with SIGKILL partway (the caller does that).
After settling — every event applied or given up, then one reconciliation pull, the product's own
safety net — Brygga's orders and articles must equal the sandbox's: nothing missing, nothing
doubled, nothing different.

Used by tests/fortnox_events/test_chaos.py (one seed, a few changes) and the `events-chaos`
benchmark (more). Fortnox's side is read from the sandbox's record store, not its faulty API."""

import random
import time
from collections import Counter
from decimal import Decimal

from warehouse.models import Article, SalesOrder

STREAM_FAULTS = {"fault_stream_duplicate_rate": 0.3, "fault_stream_delay_ms": 150, "fault_stream_drop_rate": 0.05}
REST_FAULTS = {"fault_error_rate": 0.2, "fault_error_status": 503}


class EventsChaos:
    def __init__(self, organization, control, database_number: int):
        self.organization, self.control, self.number = organization, control, database_number
        self.orders: list[str] = []
        self.articles = ["A1", "A2"]
        self.before: set[tuple[str, str]] = set()

    def _fortnox(self, method: str, path: str, body: dict | None = None) -> dict:
        answer = self.control.in_fortnox(self.number, method, path, body)
        if answer["status"] >= 400:
            raise RuntimeError(f"the sandbox refused {method} {path}: {answer['body']}")
        return answer["body"]

    def prepare(self) -> None:
        """A customer and two stock articles, before any fault and before the listener starts."""
        self._fortnox("POST", "3/customers", {"Customer": {"CustomerNumber": "K1", "Name": "Kund 1", "Type": "PRIVATE"}})
        for number in self.articles:
            self._fortnox("POST", "3/articles", {"Article": {"ArticleNumber": number, "Description": f"Artikel {number}",
                                                             "StockGoods": True}})

    def _sent(self) -> set[tuple[str, str]]:
        return {(event["topic"], str(event["offset"])) for event in self.control.stream_events(self.number)}

    def faults(self, seed: int) -> None:
        """On, once the listener holds the stream (what came before is the first pull's, not the stream's)."""
        self.before = self._sent()
        self.control.update_company({"database_number": self.number}, fault_seed=seed, **STREAM_FAULTS, **REST_FAULTS)

    def step(self, rng: random.Random) -> str:
        """One change in Fortnox: mostly new orders, some changed or cancelled, new and renamed articles."""
        roll = rng.random()
        if roll < 0.55 or not self.orders:
            rows = [{"ArticleNumber": rng.choice(self.articles), "OrderedQuantity": str(rng.randint(1, 5))}
                    for _ in range(rng.randint(1, 2))]
            created = self._fortnox("POST", "3/orders", {"Order": {"CustomerNumber": "K1", "OrderRows": rows}})
            self.orders.append(str(created["Order"]["DocumentNumber"]))
            return f"order {self.orders[-1]} created"
        if roll < 0.75:
            number = rng.choice(self.orders)
            rows = [{"ArticleNumber": rng.choice(self.articles), "OrderedQuantity": str(rng.randint(1, 9))}]
            self._fortnox("PUT", f"3/orders/{number}", {"Order": {"OrderRows": rows}})
            return f"order {number} changed"
        if roll < 0.85:
            number = rng.choice(self.orders)
            self._fortnox("PUT", f"3/orders/{number}/cancel")
            self.orders.remove(number)
            return f"order {number} cancelled"
        if roll < 0.95:
            number = f"C{len(self.articles)}"
            self._fortnox("POST", "3/articles", {"Article": {"ArticleNumber": number, "Description": f"Ny {number}",
                                                             "StockGoods": True}})
            self.articles.append(number)
            return f"article {number} created"
        number = rng.choice(self.articles)
        self._fortnox("PUT", f"3/articles/{number}", {"Article": {"Description": f"Omdöpt {rng.randint(1, 999)}"}})
        return f"article {number} renamed"

    def run(self, seed: int, steps: int, halfway=None) -> list[str]:
        """`steps` changes; `halfway()` (the caller's SIGKILL) in the middle of them."""
        rng = random.Random(seed)
        said = []
        for index in range(steps):
            if halfway is not None and index == steps // 2:
                halfway()
            said.append(self.step(rng))
        return said

    def settle(self, organization_id: int, quiet: float = 3.0, seconds: float = 60.0) -> set[tuple[str, str]] | None:
        """Wait until no event waits in Brygga's inbox and none arrived for `quiet` seconds; the
        events the sandbox sent since the faults went on that never reached the inbox (None: not
        settled in `seconds`). A topic that had no stored offset when the listener was killed
        resumes from "now" (Fortnox gives no offset without an event): its events of the gap are
        the reconciliation's, as for any organization whose stream was down."""
        from integrations.fortnox_events.models import StreamEvent

        inbox = StreamEvent.objects.filter(organization_id=organization_id)
        deadline, last, since = time.monotonic() + seconds, None, time.monotonic()
        while time.monotonic() < deadline:
            count = inbox.count()
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since >= quiet and not inbox.filter(status=StreamEvent.Status.PENDING).exists():
                return self._sent() - self.before - set(inbox.values_list("topic", "offset"))
            time.sleep(0.2)
        return None

    def disagreements(self) -> list[str]:
        """What Brygga and the sandbox differ on: an open Fortnox order missing, doubled, with
        other rows or not open in Brygga; a cancelled one open in Brygga; an article missing,
        doubled or described otherwise."""
        records = {resource: {record["key"]: record["document"]
                              for record in self.control.records({"database_number": self.number}, resource)}
                   for resource in ("orders", "articles")}
        problems = []
        orders = SalesOrder.objects.filter(organization=self.organization).prefetch_related("rows__article")
        counted = Counter(order.order_number for order in orders)
        problems += [f"order {number} is {count} times in Brygga" for number, count in counted.items() if count > 1]
        brygga = {order.order_number: order for order in orders}
        for number, document in records["orders"].items():
            order = brygga.get(str(number))
            if document.get("Cancelled"):
                if order is not None and order.state != SalesOrder.State.CANCELLED:
                    problems.append(f"order {number} is cancelled in Fortnox but {order.state} in Brygga")
                continue
            if order is None:
                problems.append(f"order {number} is missing in Brygga")
                continue
            if order.state != SalesOrder.State.OPEN:
                problems.append(f"order {number} is {order.state} in Brygga")
            theirs = sorted((row["ArticleNumber"], Decimal(str(row["OrderedQuantity"])).normalize())
                            for row in document.get("OrderRows") or [] if row.get("ArticleNumber"))
            ours = sorted((row.article.article_number if row.article else "", row.ordered_quantity.normalize())
                          for row in order.rows.all())
            if theirs != ours:
                problems.append(f"order {number}: rows {ours} in Brygga, {theirs} in Fortnox")
        problems += [f"order {number} is in Brygga but not in Fortnox" for number in brygga
                     if number not in {str(key) for key in records["orders"]}]
        articles = Counter(Article.objects.filter(organization=self.organization).values_list("article_number", flat=True))
        problems += [f"article {number} is {count} times in Brygga" for number, count in articles.items() if count > 1]
        described = dict(Article.objects.filter(organization=self.organization).values_list("article_number", "description"))
        for number, document in records["articles"].items():
            if str(number) not in described:
                problems.append(f"article {number} is missing in Brygga")
            elif described[str(number)] != document.get("Description"):
                problems.append(f"article {number}: {described[str(number)]!r} in Brygga, "
                                f"{document.get('Description')!r} in Fortnox")
        return problems
