import argparse
import inspect
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devtools.benchmarks import BENCHMARKS, TABLE_HEADER, TEMPLATE_VARIABLE, Row, _migrated_template, markdown_table

REPORT = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
WHERE = ("The benchmarks are developer tools in `devtools/benchmarks/` (one module per area, registered with "
         "`@benchmark`); `./brygga bench` runs them all, `./brygga bench --quick --no-report` checks they still work "
         "(at small sizes that prove nothing about the targets; the full sizes are in each benchmark).")

# The longest at quick sizes first (measured; they mostly wait on a schedule or Fortnox's rate
# limit), so the short ones fill the slots beside them instead of one long one running last alone.
LONGEST_FIRST = ["hr_pull_edit", "wms_fulfil", "capacity", "wms_import", "hr_chaos", "wms_idle", "chaos", "events"]


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
        parser.add_argument("--jobs", type=int, default=1,
                            help="Run this many benchmarks side by side, each in its own process (for --quick: "
                                 "they mostly wait on Fortnox's rate limit; figures of a full run want 1).")
        parser.add_argument("--samples", type=int,
                            help="For a benchmark that times repeated samples (with --only; hr_pull_edit, hr_push): "
                                 "how many, instead of its own number (a percentile wants more than 20).")
        parser.add_argument("--rows-json", help=argparse.SUPPRESS)

    def handle(self, *args, quick, only, no_report, jobs, rows_json, samples=None, **options):
        started = time.monotonic()
        names = only or sorted(BENCHMARKS)
        if samples is not None:
            # Only where asked for by name: a full or quick run (CI's) keeps each benchmark's own sizes.
            refusing = [name for name in names if "samples" not in inspect.signature(BENCHMARKS[name]).parameters]
            if not only or refusing or samples < 2:
                raise CommandError(f"--samples (at least 2) goes with --only and a benchmark that takes it, not with "
                                   f"{', '.join(refusing) or 'a full run'}")
        if jobs > 1 and len(names) > 1:
            rows = self.side_by_side(names, quick=quick, jobs=jobs, samples=samples)
        else:
            rows = [row for name in names for row in self.run_one(name, quick=quick, samples=samples)]
        if rows_json:
            Path(rows_json).write_text(json.dumps([asdict(row) for row in rows]))
            return
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

    def run_one(self, name: str, *, quick: bool, samples: int | None = None) -> list[Row]:
        self.stderr.write(f"running {name}{' (quick)' if quick else ''}{f', {samples} samples' if samples else ''} …")
        began = time.monotonic()
        sized = {"samples": samples} if samples is not None else {}
        rows = [replace(row, benchmark=name) for row in BENCHMARKS[name](quick=quick, **sized)]
        self.stderr.write(f"  {name}: {time.monotonic() - began:.0f} s")
        return rows

    def side_by_side(self, names: list[str], *, quick: bool, jobs: int, samples: int | None = None) -> list[Row]:
        """Each benchmark in a child `benchmark --only NAME` process, `jobs` at a time, sharing one
        migrated template; the rows come back as JSON, in the order of `names`. A child that fails
        fails the command, as a benchmark raising does in one process."""
        environment = {**os.environ, TEMPLATE_VARIABLE: str(_migrated_template())}
        directory = Path(tempfile.mkdtemp(prefix="brygga-bench-rows-"))

        def child(name: str) -> list[Row]:
            out = directory / f"{name}.json"
            command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "benchmark", "--only", name,
                       "--rows-json", str(out), *(["--quick"] if quick else []),
                       *(["--samples", str(samples)] if samples is not None else [])]
            finished = subprocess.run(command, env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True)
            self.stderr.write(finished.stderr.rstrip())
            if finished.returncode != 0:
                raise CommandError(f"benchmark {name} failed (exit code {finished.returncode})")
            return [Row(**row) for row in json.loads(out.read_text())]

        # The longest start first, so the others fill the remaining slots beside them.
        by_length = sorted(names, key=lambda name: (name not in LONGEST_FIRST, LONGEST_FIRST.index(name) if name in LONGEST_FIRST else 0))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = dict(zip(by_length, pool.map(child, by_length)))
        return [row for name in names for row in results[name]]

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
