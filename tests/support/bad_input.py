"""Bad input from Fortnox: a stand-in for a broken Fortnox (any status, content type and body on
any path) and hypothesis strategies for what a broken answer holds."""

import json
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from django.utils import timezone
from hypothesis import HealthCheck, settings as hypothesis_settings, strategies as st

from integrations.core.models import FortnoxConnection

EXAMPLES = hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HTML_ERROR_PAGE = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"


class BrokenFortnox(ThreadingHTTPServer):
    """Answers a request for a path in `routes` (the path without its query, percent-decoded)
    with that route's reply, and every other request with `reply`: (status, content type, body
    bytes)."""

    daemon_threads = True
    reply = (200, "application/json", b"{}")
    routes: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked: list[str] = []  # the paths requested, in order


class BrokenFortnoxHandler(BaseHTTPRequestHandler):
    def _answer(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = unquote(urlsplit(self.path).path)
        self.server.asked.append(path)
        status, content_type, body = self.server.routes.get(path, self.server.reply)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


def fresh_connection(organization) -> FortnoxConnection:
    """A connected organization for each example: an example answering 401 leaves the connection
    needing re-authorization (as it must), which would cut every later example short."""
    FortnoxConnection.objects.filter(organization=organization).delete()
    return FortnoxConnection.objects.create(
        organization=organization, status=FortnoxConnection.Status.CONNECTED, access_token="access",
        refresh_token="refresh", expires_at=timezone.now() + timedelta(hours=1), connected_at=timezone.now(),
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def as_bytes(document) -> bytes:
    return json.dumps(document).encode()


def cut_short(bodies):
    """Bodies cut off somewhere before their end, as by a dropped connection."""
    return st.tuples(bodies, st.integers(min_value=1)).map(lambda pair: pair[0][: pair[1] % max(1, len(pair[0]))])
