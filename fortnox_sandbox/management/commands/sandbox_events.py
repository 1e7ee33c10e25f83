import asyncio
import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from fortnox_sandbox import events, stream


class Command(BaseCommand):
    help = "Serve the sandbox's Fortnox event stream (topics-v1 over WebSocket; fortnox_sandbox/EVENTS.md)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1",
                            help="Address to listen on (default: this machine only; the sandbox is never public).")
        parser.add_argument("--port", type=int, default=settings.FORTNOX_SANDBOX_EVENTS_PORT,
                            help="Port (0: any free one; the address is printed).")
        parser.add_argument("--purge", action="store_true", help="Only purge events older than the retention, then stop.")

    def handle(self, *args, host, port, purge, **options):
        if purge:
            self.stdout.write(f"{events.purge()} events older than the retention purged.")
            return
        logging.getLogger("websockets").setLevel(logging.WARNING)

        def ready(bound: int):
            self.stdout.write(f"Fortnox sandbox event stream at ws://{host}:{bound}{stream.PATH}")
            self.stdout.flush()

        try:
            asyncio.run(stream.run(host, port, ready))
        except KeyboardInterrupt:
            pass
