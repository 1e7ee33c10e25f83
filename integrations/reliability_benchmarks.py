"""Benchmarks registered for issue 11: the page benchmarks of HR and warehouse (each in a fresh
process on a throw-away database, so the caller's data is never touched and nothing needs to be
migrated first) and the chaos runs with more seeds than the test suite has time for."""

from .benchmarks import BenchmarkServer, Row, benchmark, connect_sandbox_company


def _page_rows(dotted_name: str, quick: bool) -> list[dict]:
    """Runs a page benchmark (a function returning row dicts) the way the test client expects:
    test environment set up (the `testserver` host allowed, outgoing mail kept in memory)."""
    from importlib import import_module

    from django.test.utils import setup_test_environment

    setup_test_environment()
    module, name = dotted_name.rsplit(".", 1)
    return getattr(import_module(module), name)(quick=quick)


def _pages(dotted_name: str, quick: bool) -> list[Row]:
    with BenchmarkServer() as server:
        (rows,) = server.in_processes(_page_rows, [(dotted_name, quick)])
    return [Row(row["measure"], row["target"], row["result"], row["passed"], api_calls="none") for row in rows]


@benchmark("hr_pages")
def employee_list(quick: bool = False) -> list[Row]:
    return _pages("hr.benchmarks.bench_employee_list", quick)


@benchmark("warehouse_pages")
def pick_pages(quick: bool = False) -> list[Row]:
    return _pages("warehouse.benchmarks.bench_pick_pages", quick)


def _chaos_seeds(sandbox_url: str, seeds: list[int], batches: int, steps: int) -> list[dict]:
    from django.conf import settings
    from django.utils import timezone

    from integrations.chaos import HrChaos
    from integrations.fortnox.client import FortnoxClient
    from integrations.models import FortnoxConnection, HrIntegrationSettings
    from integrations.sandbox_control import SandboxControl

    settings.FORTNOX_TIMEOUT_SECONDS = CHAOS_CLIENT_TIMEOUT  # a timed-out request costs this long
    control = SandboxControl(sandbox_url)
    results = []
    for seed in seeds:
        name = f"Kaos {seed} AB"
        connection = FortnoxConnection.objects.get(pk=connect_sandbox_company(sandbox_url, name, f"5560{seed:02d}-0000"))
        company = next(c for c in control._call("GET", "companies")["companies"] if c["name"] == name)
        HrIntegrationSettings.objects.update_or_create(organization=connection.organization, defaults={
            "activated_at": timezone.now(), "create_employees": True,
        })
        chaos = HrChaos(connection.organization, control, company, client_timeout=CHAOS_CLIENT_TIMEOUT)
        chaos.prepare(FortnoxClient(connection))
        result = chaos.run(seed, batches=batches, steps_per_batch=steps)
        results.append({"disagreements": result.disagreements, "pushes": result.pushes, "steps": len(result.steps),
                        "failures": result.permanent_failures, "seconds": result.seconds})
    return results


CHAOS_CLIENT_TIMEOUT = 2.0


@benchmark("chaos")
def chaos_seeds(quick: bool = False) -> list[Row]:
    """HR edits under every fault profile at the sandbox's real rate limit, one organization per
    seed; the suite runs two seeds with time compressed, this runs more at real speed."""
    seeds, batches, steps = ([101], 6, 2) if quick else (list(range(101, 107)), 6, 5)
    with BenchmarkServer() as server:
        (results,) = server.in_processes(_chaos_seeds, [(f"{server.url}/sandbox/fortnox", seeds, batches, steps)])
    wrong = [line for result in results for line in result["disagreements"]]
    return [Row(
        f"Chaos: {len(seeds)} seeds × {sum(r['steps'] for r in results) // len(seeds)} HR edits under faults",
        "Brygga = Fortnox: 0 duplicates, 0 missing, every failure in the error log",
        f"{len(wrong)} disagreements{': ' + '; '.join(wrong[:3]) if wrong else ''}; "
        f"{sum(r['failures'] for r in results)} permanent failures, all logged; {max(r['seconds'] for r in results):.0f} s per seed",
        not wrong, api_calls=f"{sum(r['pushes'] for r in results)} push attempts",
    )]
