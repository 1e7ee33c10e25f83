"""Benchmarks of the absence transfer (registered in `devtools.benchmarks`; run with
`python manage.py benchmark --only absence_10day --only absence_180day --only absence_faults`).
Each runs a private Brygga + sandbox server and a real job cluster, at Fortnox's real rate
limit (25 requests per 5 s)."""

import random
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date, timedelta

from devtools.benchmarks import BASE_DIR, BenchmarkServer, Row, benchmark

MONDAY = date(2026, 1, 5)


def _prepare(sandbox_url: str, name: str) -> dict:
    """A sandbox company with one employee on the full-time schedule, connected through the
    consent page; in Brygga the same person linked to it, the default absence types mapped and
    "Create absence in Fortnox" on and activated. Runs in a configured process."""
    from urllib.parse import parse_qs, urlsplit

    from devtools.chaos.absence import hr_admin, link_new_employee, transfer_absences
    from devtools.sandbox_control import SandboxControl
    from integrations.connection import actions
    from integrations.fortnox import oauth
    from integrations.fortnox.client import FortnoxClient
    from organizations.models import Organization

    control = SandboxControl(sandbox_url)
    company = control.create_company(name=name)
    user = control.create_user(company)
    organization = Organization.objects.create(name=name, organisation_number="556036-0793")
    back = control.consent(oauth.authorization_url(["companyinformation", "salary"], "benchmark"), user)
    connection = actions.do_connect(organization, oauth.exchange_code(parse_qs(urlsplit(back).query)["code"][0]), user=None)
    with FortnoxClient(connection) as client:
        person = link_new_employee(client, organization, "1", "Bo", "Bench")
    transfer_absences(organization)
    hr_admin(organization)
    return {"company": company, "employee": person.pk}


@contextmanager
def _cluster(server: BenchmarkServer):
    cluster = subprocess.Popen([sys.executable, str(BASE_DIR / "manage.py"), "qcluster"], env=server.env, cwd=BASE_DIR,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)  # the cluster's workers start
        yield
    finally:
        cluster.terminate()
        cluster.wait(timeout=15)


def _register(employee_id: int, type_code: str, start: date, end: date, grade: int = 100) -> int:
    from devtools.chaos.absence import hr_admin
    from hr import actions as hr_actions
    from hr.models import AbsenceType, Employee

    person = Employee.objects.get(pk=employee_id)
    absence_type = AbsenceType.objects.get(organization_id=person.organization_id, code=type_code)
    return hr_actions.do_register_absence(person, {"absence_type": absence_type, "start_date": start, "end_date": end,
                                                   "grade": grade, "note": ""}, acting_user=hr_admin(person.organization)).pk


def _wait_until_settled(seconds: float) -> bool:
    from integrations.absence_sync.models import AbsenceTransfer
    from integrations.core.models import OutboxEvent

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        busy = OutboxEvent.objects.filter(status__in=[OutboxEvent.Status.PENDING, OutboxEvent.Status.PROCESSING]).exists()
        if not busy and not any(t.is_pending and not t.has_failed for t in AbsenceTransfer.objects.select_related("error")):
            return True
        time.sleep(0.2)
    return False


def _transfer_of(absence_id: int) -> dict:
    from hr.models import Absence
    from integrations.absence_sync.models import AbsenceTransfer

    transfer = AbsenceTransfer.objects.select_related("run").get(absence_id=absence_id)
    absence = Absence.objects.get(pk=absence_id)
    run = transfer.run
    return {"latency": (run.finished_at - absence.decided_at).total_seconds(), "calls": run.api_calls,
            "created": run.counts.get("created", 0), "status": run.status}


def _ten_day_absences(employee_id: int, count: int) -> list[dict]:
    """Two weeks each (ten work days), one every 6 s so each has the rate limit to itself."""
    from devtools.chaos.absence import expected_days

    results = []
    for number in range(count):
        start = MONDAY + timedelta(weeks=2 * number)
        absence_id = _register(employee_id, "sick_leave", start, start + timedelta(days=11))
        time.sleep(6)
        _wait_until_settled(30)
        expected = len(expected_days(start, start + timedelta(days=11), 100))  # fewer with a public holiday
        results.append({**_transfer_of(absence_id), "expected": expected})
    return results


@benchmark("absence_10day")
def ten_day_absences(quick: bool = False) -> list[Row]:
    count = 2 if quick else 12
    with BenchmarkServer() as server:
        (prepared,) = server.in_processes(_prepare, [(f"{server.url}/sandbox/fortnox", "Tiodagars AB")])
        with _cluster(server):
            (results,) = server.in_processes(_ten_day_absences, [(prepared["employee"], count)])
    latencies = [r["latency"] for r in results]
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[18] if len(latencies) > 1 else latencies[0]
    worst_calls = max(r["calls"] for r in results)
    exact = all(r["created"] == r["expected"] <= 10 and r["calls"] == r["created"] + 12 for r in results)
    return [
        Row(f"10-work-day absence ({count} absences): Fortnox calls",
            "≤ 10 creates (one per day with hours) + 12 schedule reads (its calendar days), nothing else",
            f"max {worst_calls} calls; creates {[r['created'] for r in results]}", exact,
            api_calls=f"{sum(r['calls'] for r in results)} in all"),
        Row("10-work-day absence: approval → in Fortnox, cluster running", "p95 < 5 s",
            f"p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {max(latencies):.2f} s", p95 < 5),
    ]


def _long_leave(employee_id: int, days: int) -> dict:
    absence_id = _register(employee_id, "parental_leave", MONDAY, MONDAY + timedelta(days=days - 1))
    _wait_until_settled(600)
    return _transfer_of(absence_id)


@benchmark("absence_180day")
def long_parental_leave(quick: bool = False) -> list[Row]:
    from django.conf import settings

    from devtools.chaos.absence import expected_days, held_by_fortnox
    from devtools.sandbox_control import SandboxControl

    days = 21 if quick else 180
    with BenchmarkServer() as server:
        sandbox_url = f"{server.url}/sandbox/fortnox"
        (prepared,) = server.in_processes(_prepare, [(sandbox_url, "Föräldraledighet AB")])
        with _cluster(server):
            (result,) = server.in_processes(_long_leave, [(prepared["employee"], days)])
        held = held_by_fortnox(SandboxControl(sandbox_url), prepared["company"])
    expected = expected_days(MONDAY, MONDAY + timedelta(days=days - 1), 100)
    found = sorted((d["Date"], float(d["Extent"]), float(d["Hours"])) for d in held if d["CauseCode"] == "FPE")
    allowed = result["calls"] / settings.FORTNOX_RATE_LIMIT_REQUESTS * settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS
    return [
        Row(f"{days}-day parental leave: day by day", f"{len(expected)} transactions as expected",
            f"{len(found)} held, {'equal' if found == expected else 'DIFFERENT'}", found == expected),
        Row(f"{days}-day parental leave: time to transfer", f"< 1.1 × {allowed:.0f} s (its calls at the rate limit)",
            f"{result['latency']:.1f} s", result["latency"] < 1.1 * allowed, api_calls=str(result["calls"])),
    ]


def _random_edits(employee_id: int, edits: int, seed: int) -> dict:
    """`edits` random changes to five short absences (one per week), at about two a second."""
    from devtools.chaos.absence import expected_days, hr_admin
    from hr import actions as hr_actions
    from hr.models import Absence, AbsenceStatus, Employee

    rng = random.Random(seed)
    admin = hr_admin(Employee.objects.get(pk=employee_id).organization)
    weeks = [MONDAY + timedelta(weeks=n) for n in range(5)]
    ids = [_register(employee_id, "sick_leave", start, start + timedelta(days=1)) for start in weeks]
    for _ in range(edits):
        slot = rng.randrange(5)
        absence = Absence.objects.filter(pk=ids[slot]).first()
        week = weeks[slot]
        action = rng.choice(("grade", "dates", "dates", "note", "cancel_or_delete"))
        if absence is None or absence.status == AbsenceStatus.CANCELLED:
            ids[slot] = _register(employee_id, "sick_leave", week, week + timedelta(days=rng.randrange(5)), rng.choice((25, 50, 100)))
        elif action == "grade":
            hr_actions.do_update_absence(absence, {"grade": rng.choice((25, 50, 75, 100))}, acting_user=admin)
        elif action == "dates":
            first = week + timedelta(days=rng.randrange(5))
            last = min(first + timedelta(days=rng.randrange(4)), week + timedelta(days=4))  # within its own week
            hr_actions.do_update_absence(absence, {"start_date": first, "end_date": last},
                                         acting_user=admin)
        elif action == "note":
            hr_actions.do_update_absence(absence, {"note": f"edit {rng.random():.4f}"}, acting_user=admin)
        elif rng.random() < 0.5:
            hr_actions.do_cancel_absence(absence, acting_user=admin)
        else:
            hr_actions.do_delete_absence(absence, acting_user=admin)
        time.sleep(0.5)
    settled = _wait_until_settled(900)
    standing = Absence.objects.filter(pk__in=ids, status=AbsenceStatus.APPROVED)
    expected = sorted(day for a in standing for day in expected_days(a.start_date, a.end_date, a.grade))
    return {"settled": settled, "expected": expected}


@benchmark("absence_faults")
def random_edits_under_faults(quick: bool = False) -> list[Row]:
    from devtools.chaos.absence import held_by_fortnox
    from devtools.sandbox_control import SandboxControl

    edits = 12 if quick else 200
    with BenchmarkServer() as server:
        sandbox_url = f"{server.url}/sandbox/fortnox"
        (prepared,) = server.in_processes(_prepare, [(sandbox_url, "Fel AB")])
        control = SandboxControl(sandbox_url)
        control.update_company(prepared["company"], fault_error_rate=0.1, fault_drop_rate=0.1, fault_seed=7)
        with _cluster(server):
            (result,) = server.in_processes(_random_edits, [(prepared["employee"], edits, 7)])
        faults = [entry for entry in control.request_log(prepared["company"]) if entry["fault"]]
        control.update_company(prepared["company"], fault_error_rate=0, fault_drop_rate=0)
        held = held_by_fortnox(control, prepared["company"])
    found = sorted((d["Date"], float(d["Extent"]), float(d["Hours"])) for d in held if d["CauseCode"] == "SJK")
    duplicates = len(found) - len(set(found))
    return [Row(
        f"{edits} random absence edits, 20 % faults (10 % 503, 10 % applied then dropped)",
        "Fortnox holds exactly what the absences call for",
        f"{len(found)} held / {len(result['expected'])} expected, {duplicates} duplicates, "
        f"{'settled' if result['settled'] else 'NOT settled'}, ≥ {len(faults)} faults in the last 500 requests",
        result["settled"] and found == result["expected"],
    )]
