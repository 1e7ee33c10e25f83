"""Fortnox's WebSocket event stream, `topics-v1`, served from the event log (`EVENTS.md`).

An asyncio server (`websockets`, the library Brygga's listener uses as a client) run by
`manage.py sandbox_events`. Each connection keeps its own state in memory, as Fortnox's does:
the app whose secret it was given, its tenants (each with the access token it was added with),
its topics with the next offset of each, and whether it subscribed. Once subscribed, it reads
the event log every `POLL_SECONDS` from the database (any database Django speaks: the log is
an ordinary table, read through `sync_to_async`), sends the events of its tenants and topics in
offset order, and applies the company's stream faults on the way."""

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from . import events
from .models import (
    Company,
    OAuthClient,
    StreamConnection,
    Token,
    TopicEvent,
    TopicSequence,
    digest,
    from_offset,
    to_offset,
)

log = logging.getLogger("fortnox_sandbox.stream")

PATH = "/topics-v1"
POLL_SECONDS = 0.15
TOKEN_CHECK_SECONDS = 1.0
REPORT_SECONDS = 2.0  # how often a connection's state is written for the panel
PURGE_SECONDS = 60.0
BATCH = 500  # events read per topic and round
# How often each event has closed a connection so far (server-wide): a seeded drop is drawn again
# for each time the event is sent anew, as a client resuming inclusively from its offset gets the
# event that closed its connection first. Drawn once per event, the same event would close every
# connection after it and the client could never get further; Fortnox's drops are not tied to
# one event either.
DROPS_SO_FAR: dict[tuple[str, int], int] = {}
DROP_CODE, DROP_REASON = 1011, "connection dropped (sandbox fault)"


def db(function):
    """The server's database work runs in one worker thread (Django's connections are per thread)."""
    def run(*args, **kwargs):
        close_old_connections()
        return function(*args, **kwargs)

    return sync_to_async(run, thread_sensitive=True)


# --- the database side (synchronous) ------------------------------------------------------------

@db
def client_for_secret(secret) -> int | None:
    if not isinstance(secret, str) or not secret:
        return None
    OAuthClient.objects.ensure_builtin()
    return OAuthClient.objects.filter(secret_hash=digest(secret)).values_list("pk", flat=True).first()


@db
def tokens_of(client_pk: int, raw_tokens: list) -> dict:
    """token -> (tenant id, token pk, expires) for each valid token of that app."""
    found = {}
    for raw in raw_tokens:
        token = Token.objects.by_access_token(raw) if isinstance(raw, str) and raw else None
        if token is not None and token.client_id == client_pk:
            found[raw] = (token.company.database_number, token.pk, token.access_expires)
    return found


@db
def still_valid(token_pks: list[int]) -> set[int]:
    return set(Token.objects.filter(pk__in=token_pks, revoked=False, access_expires__gt=timezone.now())
               .values_list("pk", flat=True))


@db
def start_of(topic: str, offset) -> int | None:
    """The first sequence to send on `topic` for a client that gave `offset` (None: from now);
    None when the offset is not one the sandbox could have written."""
    last = TopicSequence.objects.filter(topic=topic).values_list("last", flat=True).first() or 0
    if offset is None or offset == "":
        return last + 1
    wanted = from_offset(offset)
    if wanted is None:
        return None
    if wanted > last + 1:
        return last + 1  # beyond the newest event: from now
    earliest = TopicEvent.objects.filter(topic=topic).order_by("sequence").values_list("sequence", flat=True).first()
    # Older than the retention (purged): from the earliest event still kept.
    return max(wanted, earliest) if earliest is not None else wanted


@db
def read(positions: dict[str, int]) -> dict[str, list[TopicEvent]]:
    return {topic: list(TopicEvent.objects.filter(topic=topic, sequence__gte=position).order_by("sequence")[:BATCH])
            for topic, position in positions.items()}


@dataclass
class StreamFaults:
    duplicate_rate: float = 0.0
    drop_after: int = 0
    drop_rate: float = 0.0
    delay_ms: int = 0
    seed: int | None = None


@db
def faults_of(tenant_ids: set[int]) -> dict[int, StreamFaults]:
    rows = Company.objects.filter(database_number__in=tenant_ids).values_list(
        "database_number", "fault_stream_duplicate_rate", "fault_stream_drop_after", "fault_stream_drop_rate",
        "fault_stream_delay_ms", "fault_seed")
    return {row[0]: StreamFaults(*row[1:]) for row in rows}


@db
def report(pk: int | None, peer: str, client_pk, tenants: list, positions: dict, subscribed: bool) -> int:
    """Writes a connection's state for the panel's list of connected clients; returns its row's pk."""
    client = OAuthClient.objects.filter(pk=client_pk).values_list("client_id", flat=True).first() or ""
    fields = {"peer": peer[:100], "client": client, "tenants": tenants, "subscribed": subscribed,
              "topics": {topic: to_offset(position) for topic, position in positions.items()},
              "seen_at": timezone.now()}
    if pk is None or not StreamConnection.objects.filter(pk=pk).update(**fields):
        pk = StreamConnection.objects.create(**fields).pk
    return pk


@db
def forget(pk: int | None) -> None:
    if pk is not None:
        StreamConnection.objects.filter(pk=pk).delete()


@db
def forget_all() -> None:
    StreamConnection.objects.all().delete()


@db
def purge() -> int:
    return events.purge()


# --- one connection -----------------------------------------------------------------------------

@dataclass
class Tenant:
    token_pk: int
    expires: object


@dataclass(eq=False)
class Connection:
    ws: object
    client_pk: int | None = None
    tenants: dict[int, Tenant] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    subscribed: bool = False
    sent: dict[int, int] = field(default_factory=dict)  # events sent per tenant (drop_after)
    delivery: asyncio.Task | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    report_pk: int | None = None
    reported: float = 0.0

    async def report(self, now: bool = False) -> None:
        if now or time.monotonic() - self.reported >= REPORT_SECONDS:
            self.reported = time.monotonic()
            self.report_pk = await report(self.report_pk, str(self.ws.remote_address), self.client_pk,
                                          sorted(self.tenants), dict(self.positions), self.subscribed)

    async def send(self, message: dict) -> None:
        async with self.lock:
            await self.ws.send(json.dumps(message))

    # --- commands --------------------------------------------------------------------------------

    async def command(self, raw) -> dict:
        try:
            message = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("command"), str):
            return error(None, "Not a command: send a JSON object with \"command\"")
        name = message["command"]
        handler = COMMANDS.get(name)
        if handler is None:
            return error(name, "Unknown command")
        return await handler(self, message)

    async def add_tenants(self, message: dict) -> dict:
        name = "add-tenants-v1"
        tokens = message.get("accessTokens")
        if not isinstance(tokens, list):
            return error(name, "accessTokens must be a list of access tokens", tenantIds={}, invalidTokens=[])
        client_pk = await client_for_secret(message.get("clientSecret"))
        if client_pk is None:
            return error(name, "Invalid client secret", tenantIds={}, invalidTokens=[t for t in tokens if isinstance(t, str)])
        if self.client_pk not in (None, client_pk):
            return error(name, "This connection belongs to another app (client secret)", tenantIds={},
                         invalidTokens=[t for t in tokens if isinstance(t, str)])
        self.client_pk = client_pk
        valid = await tokens_of(client_pk, tokens)
        for tenant_id, token_pk, expires in valid.values():
            self.tenants[tenant_id] = Tenant(token_pk, expires)
        return {"response": name, "result": "ok", "tenantIds": {raw: found[0] for raw, found in valid.items()},
                "invalidTokens": [raw for raw in tokens if raw not in valid]}

    async def remove_tenants(self, message: dict) -> dict:
        name = "remove-tenants-v1"
        wanted = message.get("tenants")
        if not isinstance(wanted, list):
            return error(name, "tenants must be a list of tenant ids")
        removed = []
        for tenant in wanted:
            tenant_id = as_tenant_id(tenant)
            if tenant_id is not None and self.tenants.pop(tenant_id, None) is not None:
                removed.append(tenant_id)
        return {"response": name, "result": "ok", "tenants": removed}

    async def list_tenants(self, message: dict) -> dict:
        return {"response": "list-tenants-v1", "result": "ok", "tenants": sorted(self.tenants)}

    async def add_topics(self, message: dict) -> dict:
        name = "add-topics-v1"
        wanted = message.get("topics")
        if not isinstance(wanted, list):
            return error(name, "topics must be a list of {\"topic\": ..., \"offset\": ...}", invalidTopics=[])
        invalid = []
        for entry in wanted:
            topic = entry.get("topic") if isinstance(entry, dict) else entry
            if not isinstance(topic, str) or topic not in events.TOPICS:
                invalid.append(topic if isinstance(topic, str) else json.dumps(topic))
                continue
            start = await start_of(topic, entry.get("offset") if isinstance(entry, dict) else None)
            if start is None:
                invalid.append(topic)
                continue
            self.positions[topic] = start
        return {"response": name, "result": "ok", "invalidTopics": invalid}

    async def subscribe(self, message: dict) -> dict:
        self.subscribed = True
        return {"response": "subscribe-v1", "result": "ok"}

    def start_delivery(self) -> None:
        if self.subscribed and self.delivery is None:
            self.delivery = asyncio.create_task(self.deliver())

    # --- delivery --------------------------------------------------------------------------------

    async def deliver(self) -> None:
        checked = 0.0
        try:
            while True:
                if time.monotonic() - checked >= TOKEN_CHECK_SECONDS:
                    checked = time.monotonic()
                    await self.drop_expired_tenants()
                if self.positions:
                    if not await self.deliver_once():
                        return
                await self.report()
                await asyncio.sleep(POLL_SECONDS)
        except ConnectionClosed:
            return

    async def drop_expired_tenants(self) -> None:
        if not self.tenants:
            return
        valid = await still_valid([tenant.token_pk for tenant in self.tenants.values()])
        for tenant_id, tenant in list(self.tenants.items()):
            if tenant.token_pk not in valid and self.tenants.get(tenant_id) is tenant:
                del self.tenants[tenant_id]
                await self.send({"notice": "tenant-removed-v1", "tenantId": tenant_id,
                                 "reason": "access token expired"})

    async def deliver_once(self) -> bool:
        """Sends what is new on every topic; False when a fault closed the connection."""
        batches = await read(dict(self.positions))
        tenants = {event.tenant_id for batch in batches.values() for event in batch} & set(self.tenants)
        faults = await faults_of(tenants) if tenants else {}
        now = timezone.now()
        for topic, batch in batches.items():
            for event in batch:
                fault = faults.get(event.tenant_id)
                if event.tenant_id in self.tenants and fault is not None:
                    if fault.delay_ms and event.at + timedelta(milliseconds=fault.delay_ms) > now:
                        break  # not yet; the topic waits (its order is kept)
                    dropped_before = DROPS_SO_FAR.get((topic, event.sequence), 0)
                    rng = random.Random(f"{fault.seed}:stream:{topic}:{event.sequence}:{dropped_before}") \
                        if fault.seed is not None else random.Random()
                    duplicate, drop = rng.random() < fault.duplicate_rate, rng.random() < fault.drop_rate
                    frame = events.as_frame(event)
                    await self.send(frame)
                    if duplicate:
                        await self.send(frame)
                    self.positions[topic] = event.sequence + 1
                    self.sent[event.tenant_id] = self.sent.get(event.tenant_id, 0) + 1
                    if drop or (fault.drop_after and self.sent[event.tenant_id] >= fault.drop_after):
                        DROPS_SO_FAR[(topic, event.sequence)] = dropped_before + 1
                        log.info("sandbox stream: dropping a connection after %s (fault)", frame["offset"])
                        await self.ws.close(DROP_CODE, DROP_REASON)
                        return False
                else:
                    self.positions[topic] = event.sequence + 1
        return True


def error(name, message: str, **extra) -> dict:
    return {"response": name, "result": "error", "message": message, **extra}


def as_tenant_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


COMMANDS = {
    "add-tenants-v1": Connection.add_tenants,
    "remove-tenants-v1": Connection.remove_tenants,
    "list-tenants-v1": Connection.list_tenants,
    "add-topics-v1": Connection.add_topics,
    "subscribe-v1": Connection.subscribe,
}

# --- the server ---------------------------------------------------------------------------------

CONNECTIONS: set[Connection] = set()


async def handle(ws) -> None:
    connection = Connection(ws)
    CONNECTIONS.add(connection)
    log.info("sandbox stream: %s connected", ws.remote_address)
    try:
        await connection.report(now=True)
        async for raw in ws:
            answer = await connection.command(raw)
            await connection.send(answer)
            await connection.report(now=True)
            connection.start_delivery()
    except ConnectionClosed:
        pass
    finally:
        CONNECTIONS.discard(connection)
        if connection.delivery is not None:
            connection.delivery.cancel()
        await forget(connection.report_pk)
        log.info("sandbox stream: %s disconnected", ws.remote_address)


def only_topics_path(connection, request):
    if request.path.split("?", 1)[0] != PATH:
        return connection.respond(404, f"The stream is at {PATH}.\n")
    return None


async def purge_now_and_then() -> None:
    while True:
        try:
            deleted = await purge()
            if deleted:
                log.info("sandbox stream: %s events older than the retention purged", deleted)
        except Exception:  # noqa: BLE001 - a failed purge must not stop the server; it runs again
            log.exception("sandbox stream: purging failed")
        await asyncio.sleep(PURGE_SECONDS)


async def run(host: str, port: int, ready=None) -> None:
    """Serves until cancelled; `ready(port)` is called once it listens (port 0: a free one)."""
    async with serve(handle, host, port, process_request=only_topics_path, ping_interval=20, ping_timeout=20,
                     max_size=2 ** 20) as server:
        bound = server.sockets[0].getsockname()[1]
        if ready:
            ready(bound)
        await forget_all()  # rows a killed server left behind
        purger = asyncio.create_task(purge_now_and_then())
        try:
            await server.serve_forever()
        finally:
            purger.cancel()
