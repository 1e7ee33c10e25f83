import os
import platform
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.benchmarks import BENCHMARKS, markdown_table

REPORT = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"


def machine() -> str:
    """Cores, memory, Python and database: what the figures depend on."""
    memory = "?"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kilobytes = int(next(line for line in meminfo.read_text().splitlines() if line.startswith("MemTotal")).split()[1])
        memory = f"{kilobytes / 1024 / 1024:.1f} GiB"
    return (f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), {memory} memory, "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}; each benchmark runs "
            f"its own Brygga server (runserver) with the Fortnox sandbox at its real rate limit on a throw-away "
            f"SQLite database, and a django-q2 cluster where jobs are measured")


class Command(BaseCommand):
    help = "Run the performance benchmarks and print one Markdown table (not part of the test suite)."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Small sizes: checks the benchmarks still work.")
        parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="Run only this benchmark (repeatable).")
        parser.add_argument("--no-report", action="store_true", help=f"Do not write {REPORT.relative_to(settings.BASE_DIR)}.")

    def handle(self, *args, quick, only, no_report, **options):
        rows = []
        started = time.monotonic()
        for name in only or sorted(BENCHMARKS):
            self.stderr.write(f"running {name}{' (quick)' if quick else ''} …")
            rows += BENCHMARKS[name](quick=quick)
        table = markdown_table(rows)
        self.stdout.write(table)
        if not no_report:
            REPORT.parent.mkdir(exist_ok=True)
            REPORT.write_text(
                f"# Benchmarks\n\nWritten by `python manage.py benchmark{' --quick' if quick else ''}"
                f"{''.join(f' --only {n}' for n in only or [])}` on {timezone.localtime():%Y-%m-%d %H:%M} "
                f"in {time.monotonic() - started:.0f} s.\n\nMachine: {machine()}.\n\n{table}\n"
            )
        if not all(row.passed for row in rows):
            raise CommandError("at least one target was missed (see the table)")
