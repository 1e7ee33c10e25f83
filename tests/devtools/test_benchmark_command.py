"""`manage.py benchmark --samples N` changes how many samples a named benchmark takes and nothing
else: a full or quick run (CI's) keeps each benchmark's own sizes."""

import pytest
from django.core.management import CommandError, call_command

from devtools import benchmarks


@pytest.mark.parametrize("arguments", [["--samples", "100"], ["--only", "hr_pages", "--samples", "100"],
                                       ["--only", "hr_pull_edit", "--samples", "1"]])
def test_samples_go_only_with_a_named_benchmark_that_takes_them(arguments):
    with pytest.raises(CommandError, match="--samples"):
        call_command("benchmark", "--no-report", *arguments)


def test_samples_reach_the_benchmark_and_without_them_it_keeps_its_own(monkeypatch):
    asked = []

    def fake(quick=False, samples=None):
        asked.append(samples)
        return [benchmarks.Row("fake", "—", "—", True)]

    monkeypatch.setitem(benchmarks.BENCHMARKS, "hr_push", fake)
    call_command("benchmark", "--no-report", "--only", "hr_push", "--samples", "100")
    call_command("benchmark", "--no-report", "--only", "hr_push")
    assert asked == [100, None]
