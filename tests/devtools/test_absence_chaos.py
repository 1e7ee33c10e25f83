"""Absence changes transferred through the outbox while the sandbox injects faults; afterwards
Fortnox holds, day by day, exactly the transactions the approved absences call for."""

import random
from collections import Counter

import pytest

from devtools.chaos import ChaosRun, drain
from devtools.chaos.absence import AbsenceChaos, held_by_fortnox
from integrations.absence_sync.push import RUN_KIND
from integrations.core.models import IntegrationError, OutboxEvent, SyncRun
from integrations.fortnox.client import FortnoxClient
from tests.support.chaos import CLIENT_TIMEOUT, SEEDS, assert_faults_were_injected

# Seeds of many changes under injected faults: up to a minute each on a quiet machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture
def absence_chaos(activated, tenant, sandbox, fortnox_company, compressed_time) -> ChaosRun:
    chaos = ChaosRun(tenant.organization, sandbox, fortnox_company.data,
                     [AbsenceChaos(tenant.organization, sandbox, fortnox_company.data)], client_timeout=CLIENT_TIMEOUT)
    chaos.prepare(FortnoxClient(activated, timeout=30))  # arranging, not under test: no short timeout
    return chaos


def locked_period_error(tenant) -> IntegrationError:
    return IntegrationError.objects.get(organization=tenant.organization, fortnox_code="2003456")


@pytest.mark.parametrize("seed", SEEDS)
def test_absence_changes_under_faults_leave_fortnox_with_exactly_the_days_the_absences_call_for(
        absence_chaos, sandbox, fortnox_company, tenant, seed):
    result = absence_chaos.run(seed, batches=len(absence_chaos.profiles), steps_per_batch=5)

    assert result.disagreements == [], "\n".join(result.steps + result.disagreements)
    assert_faults_were_injected(sandbox, fortnox_company.data)
    done = Counter()
    for run in SyncRun.objects.filter(organization=tenant.organization, kind=RUN_KIND):
        done.update(run.counts)
    # How far each batch's jobs get before the next batch's changes is a matter of timing, so
    # which of update and delete happen after a transfer varies; at least one always does.
    assert done["created"] and done["updated"] + done["deleted"], f"the run changed nothing it had sent: {done}"
    assert locked_period_error(tenant).status == IntegrationError.Status.OPEN


def test_an_absence_in_the_locked_salary_period_is_a_visible_permanent_failure_that_explains_the_missing_days(
        absence_chaos, sandbox, fortnox_company, tenant):
    domain = absence_chaos.domains[0]
    domain.step(random.Random(0), 0)  # the first step always registers the absence reaching into the locked period
    drain(tenant.organization)

    entry = locked_period_error(tenant)
    assert entry.status == IntegrationError.Status.OPEN and entry.outbox_event.status == OutboxEvent.Status.FAILED
    assert sorted(d["Date"] for d in held_by_fortnox(sandbox, fortnox_company.data)) == ["2026-03-26", "2026-03-27"]
    assert domain.disagreements() == []

    entry.status = IntegrationError.Status.DISMISSED
    entry.save(update_fields=["status"])
    problems = domain.disagreements()
    locked_days = ("2026-03-23", "2026-03-24", "2026-03-25")
    assert len(problems) == 3 and all(f"'{day}'" in line for day, line in zip(locked_days, problems)), problems


def test_the_check_names_a_transaction_deleted_and_one_duplicated_in_fortnox_after_a_run(
        absence_chaos, activated, sandbox, fortnox_company):
    result = absence_chaos.run(3, batches=2, steps_per_batch=6)
    assert result.disagreements == [], "\n".join(result.steps + result.disagreements)
    # Not the locked period's days: an open error explains whatever happens to those.
    held = [d for d in held_by_fortnox(sandbox, fortnox_company.data) if d["Date"] >= AbsenceChaos.WINDOW[0].isoformat()]
    assert len(held) >= 2, "\n".join(result.steps)
    twice, gone = sorted(held, key=lambda d: (d["EmployeeId"], d["Date"]))[-2:]

    with FortnoxClient(activated) as fortnox:  # a payroll clerk's hand edits, not Brygga's
        fortnox.delete(f"/3/absencetransactions/{gone['id']}")
        fortnox.post("/3/absencetransactions", {"AbsenceTransaction": {
            key: twice[key] for key in ("EmployeeId", "Date", "CauseCode", "Extent", "Hours")}})

    problems = absence_chaos.disagreements()
    assert len(problems) == 2, problems
    assert any(f"Fortnox holds 0 × ('{gone['EmployeeId']}', '{gone['Date']}'" in line for line in problems)
    assert any(f"Fortnox holds 2 × ('{twice['EmployeeId']}', '{twice['Date']}'" in line for line in problems)
