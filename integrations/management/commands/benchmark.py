from django.core.management.base import BaseCommand, CommandError

from integrations.benchmarks import BENCHMARKS, markdown_table


class Command(BaseCommand):
    help = "Run the performance benchmarks and print one Markdown table (not part of the test suite)."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="Small sizes: checks the benchmarks still work.")
        parser.add_argument("--only", action="append", choices=sorted(BENCHMARKS), help="Run only this benchmark (repeatable).")

    def handle(self, *args, quick, only, **options):
        rows = []
        for name in only or sorted(BENCHMARKS):
            self.stderr.write(f"running {name}{' (quick)' if quick else ''} …")
            rows += BENCHMARKS[name](quick=quick)
        self.stdout.write(markdown_table(rows))
        if not all(row.passed for row in rows):
            raise CommandError("at least one target was missed (see the table)")
