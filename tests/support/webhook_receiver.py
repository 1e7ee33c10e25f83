"""A real HTTP endpoint on loopback that records the webhooks POSTed to it: the sandbox sends
consent webhooks over the network, so the tests receive them over the network too. `failures`
makes the first N deliveries fail with HTTP 503, to watch the sandbox retry."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self, failures: int = 0):
        self.failures = failures
        self.attempts = 0
        self.received: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.attempts += 1
                    failing = receiver.attempts <= receiver.failures
                    if not failing:
                        receiver.received.append({"content_type": self.headers.get("Content-Type"),
                                                  "body": json.loads(body)})
                self.send_response(503 if failing else 204)
                self.end_headers()

            def log_message(self, *args):  # keep the test output for the tests
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/fortnox/webhook"

    def bodies(self) -> list[dict]:
        with self.lock:
            return [entry["body"] for entry in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
