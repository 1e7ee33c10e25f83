"""The sandbox's Fortnox event stream (`manage.py sandbox_events`, fortnox_sandbox/EVENTS.md) as the
tests meet it: a real server in its own process on the test's database, on a free port of this
worker, with `FORTNOX_EVENTS_URL` pointing at it; and a small client speaking its frames."""

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from websockets.sync.client import connect

from .processes import MANAGE, subprocess_env

STARTUP_SECONDS = 60
STREAM_TOPICS = ["articles", "orders", "customers", "suppliers", "warehouse-stockbalances"]


def access_token(api) -> str:
    """The Bearer token of a sandbox `Api` test client."""
    return api.headers["Authorization"].split(" ", 1)[1]


def shapes(events) -> list[tuple]:
    return [(e["topic"], e["type"], e["entityId"]) for e in events]


def by_topic(events) -> dict[str, list[tuple]]:
    """Fortnox orders events per topic only; across topics they may interleave either way."""
    grouped = {}
    for event in events:
        grouped.setdefault(event["topic"], []).append((event["type"], event["entityId"]))
    return grouped


class SandboxStream:
    """One `sandbox_events` process. `port` is chosen by the server the first time (port 0) and
    kept by `start()` after `stop()`/`kill()`, so a client reconnects to the same address."""

    def __init__(self):
        self.port = 0
        self.process = None
        self.log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/topics-v1"

    def start(self) -> "SandboxStream":
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE), "sandbox_events", "--port", str(self.port)], env=subprocess_env(),
            stdout=subprocess.PIPE, stderr=self.log, start_new_session=True)
        line = self._first_line()
        self.port = int(line.rsplit(":", 1)[1].split("/", 1)[0])
        return self

    def _first_line(self) -> str:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            ready, _, _ = select.select([self.process.stdout], [], [], 0.2)
            if ready:
                line = self.process.stdout.readline().decode().strip()
                if line.startswith("Fortnox sandbox event stream at ws://"):
                    return line
        self.kill()
        raise RuntimeError(f"the sandbox's event stream did not start: {self.errors()}")

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL: every connection ends without a close frame."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def client(self, **options) -> "StreamClient":
        return StreamClient(self.url, **options)


class StreamClient:
    """A plain client of the stream: `command(...)` sends one and returns its answer (events that
    come first are kept), `events(n)` waits for n events, `quiet(seconds)` the events meanwhile."""

    def __init__(self, url: str, **options):
        self.ws = connect(url, open_timeout=10, proxy=None, **options).__enter__()
        self.kept: list[dict] = []
        self.notices: list[dict] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.ws.close()

    def send(self, message) -> None:
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def receive(self, timeout: float) -> dict | None:
        try:
            return json.loads(self.ws.recv(timeout=timeout))
        except TimeoutError:
            return None

    def command(self, message, timeout: float = 10) -> dict:
        self.send(message)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.receive(max(0.0, deadline - time.monotonic()))
            if answer is None:
                break
            if "response" in answer:
                return answer
            self._keep(answer)
        raise AssertionError(f"no answer to {message!r} in {timeout:g} s")

    def _keep(self, message: dict) -> None:
        (self.notices if "notice" in message else self.kept).append(message)

    def subscribe(self, client_secret: str, tokens: list[str], topics: list, *, timeout: float = 10) -> dict:
        """add-tenants-v1, add-topics-v1 (names or {"topic", "offset"}), subscribe-v1; the tenants' answer."""
        tenants = self.command({"command": "add-tenants-v1", "clientSecret": client_secret, "accessTokens": tokens})
        self.command({"command": "add-topics-v1",
                      "topics": [t if isinstance(t, dict) else {"topic": t} for t in topics]})
        self.command({"command": "subscribe-v1"})
        return tenants

    def events(self, count: int, timeout: float = 15) -> list[dict]:
        deadline = time.monotonic() + timeout
        while sum("topic" in m for m in self.kept) < count and time.monotonic() < deadline:
            message = self.receive(max(0.0, deadline - time.monotonic()))
            if message is not None:
                self._keep(message)
        got = [m for m in self.kept if "topic" in m]
        if len(got) < count:
            raise AssertionError(f"{len(got)} of {count} events in {timeout:g} s: {got}")
        self.kept = got[count:]
        return got[:count]

    def quiet(self, seconds: float) -> list[dict]:
        """Everything that arrives within `seconds` (events, notices), after what was kept."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = self.receive(max(0.0, deadline - time.monotonic()))
            if message is not None:
                self._keep(message)
        got, self.kept = self.kept, []
        return got


@pytest.fixture
def sandbox_stream(transactional_db, settings, monkeypatch):
    """The sandbox's event stream in its own process on this test's database; the setting and the
    environment variable FORTNOX_EVENTS_URL point at it (for this process and the ones it starts)."""
    stream = SandboxStream().start()
    settings.FORTNOX_EVENTS_URL = stream.url
    monkeypatch.setenv("FORTNOX_EVENTS_URL", stream.url)
    yield stream
    stream.stop()
    if os.environ.get("SANDBOX_STREAM_LOG"):
        sys.stderr.write(stream.errors())
