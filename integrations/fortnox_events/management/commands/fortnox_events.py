"""`python manage.py fortnox_events`: the one listener on Fortnox's event stream for all
organizations (see integrations/fortnox_events/listener.py). Run one on each of two machines for
failover: one holds the stream, the other waits. SIGTERM or Ctrl-C lets the stream go at once."""

import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from integrations.fortnox_events.listener import Listener


class Command(BaseCommand):
    help = "Listen to Fortnox's event stream for all organizations (one process holds it; others stand by)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="", help="The stream's URL (default: the FORTNOX_EVENTS_URL setting).")

    def handle(self, *args, url="", **options):
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        url = url or settings.FORTNOX_EVENTS_URL
        stop = threading.Event()
        if not url:
            self.stdout.write("FORTNOX_EVENTS_URL is not set: no event stream; every organization polls.")
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
            return
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        listener = Listener(url, stop=stop)
        try:
            listener.run()
        except KeyboardInterrupt:
            stop.set()
