"""`manage.py qcluster` that also looks for due schedules every second, for tests that make a
schedule due and wait for its run: django-q2's sentinel looks only every ~30 s (a constant in its
guard loop), which made such a test wait half a minute per slot. The looking is django-q2's own
`scheduler`, so several clusters still contend for each due schedule exactly as they do in
production (more often, if anything). Run as a script: `python <this file>`."""

import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django_q import cluster
    from django_q.brokers import get_broker
    from django_q.scheduler import scheduler

    start = cluster.Cluster.start

    def start_then_look_every_second(self):
        # After the sentinel is forked, so the looking thread is never copied into it.
        pid = start(self)

        def look():
            broker = get_broker()
            while True:
                time.sleep(1)
                scheduler(broker=broker)

        threading.Thread(target=look, daemon=True).start()
        return pid

    cluster.Cluster.start = start_then_look_every_second
    call_command("qcluster")


if __name__ == "__main__":
    main()
