import os
import platform
import time
from dataclasses import replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devtools.benchmarks import BENCHMARKS, TABLE_HEADER, markdown_table

REPORT = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
WHERE = ("The benchmarks are developer tools in `devtools/benchmarks/` (one module per area, registered with "
         "`@benchmark`); `./brygga bench` runs them all, `./brygga bench --quick --no-report` checks they still work.")


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
            began = time.monotonic()
            rows += [replace(row, benchmark=name) for row in BENCHMARKS[name](quick=quick)]
            self.stderr.write(f"  {name}: {time.monotonic() - began:.0f} s")
        self.stdout.write(markdown_table(rows))
        if not no_report:
            self.write_report(rows, quick=quick, only=only or [], seconds=time.monotonic() - started)
        missed = [row.measure for row in rows if not row.passed]
        if missed and quick:
            # Quick sizes are not the targets' sizes, and CI's shared cores make timings noisy:
            # a quick run proves the benchmarks work (an exception still fails it), not the targets.
            self.stderr.write(f"quick run: {len(missed)} target(s) missed at small sizes: {'; '.join(missed)}")
        elif missed:
            raise CommandError("at least one target was missed (see the table)")

    def write_report(self, rows, *, quick: bool, only: list[str], seconds: float) -> None:
        """The table in docs/benchmarks.md. A run of some benchmarks (`--only`) keeps the rows of
        the others from the report as it was, so one slow benchmark can be re-run alone."""
        kept = [line for line in _table_lines() if line.split("|")[1].strip() not in {row.benchmark for row in rows}]
        table = markdown_table(rows).splitlines()
        lines = sorted(kept + table[2:], key=lambda line: line.split("|")[1].strip())
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(
            f"# Benchmarks\n\nLast written by `python manage.py benchmark{' --quick' if quick else ''}"
            f"{''.join(f' --only {n}' for n in only)}` on {timezone.localtime():%Y-%m-%d %H:%M} in {seconds:.0f} s"
            f"{'; the rows of other benchmarks are from earlier runs' if kept else ''}.\n\n"
            f"{WHERE}\n\n"
            f"Machine: {machine()}.\n\n{TABLE_HEADER}\n" + "\n".join(lines) + "\n"
        )


def _table_lines() -> list[str]:
    """Rows of the current report that name a registered benchmark."""
    if not REPORT.exists():
        return []
    return [line for line in REPORT.read_text().splitlines()
            if line.startswith("| ") and line.count("|") >= 7 and line.split("|")[1].strip() in BENCHMARKS]
