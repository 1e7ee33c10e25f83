"""A long absence is spread over background jobs of a real job cluster, with progress shown on
the absence while it runs."""

import time
from datetime import date, timedelta

import holidays
import pytest
from django.urls import reverse

from hr import actions as hr_actions
from integrations.absence_sync.models import AbsenceTransfer
from integrations.core.models import OutboxEvent, SyncRun

pytestmark = pytest.mark.slow

START = date(2026, 1, 5)


def fortnox_work_days(start, count):
    """The first `count` days with hours on the HEL schedule (weekdays that are not public holidays)."""
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5 and day not in holidays.Sweden(years=day.year):
            days.append(day.isoformat())
        day += timedelta(days=1)
    return days


# 30 work days (about 42 calendar days, each a schedule read, and 30 creates): some 75 calls, more
# than two jobs' budget, so a job continuing a run hands on again. At the default budget (100) the
# same takes a 100-work-day absence: the proportion is what is tested, in a third of the time.
WORK_DAYS = 30
CALL_BUDGET = 25


@pytest.fixture
def small_call_budget(settings, monkeypatch):
    """A job's budget of calls for this process and the job cluster started after it."""
    settings.ABSENCE_SYNC_CALL_BUDGET = CALL_BUDGET
    monkeypatch.setenv("ABSENCE_SYNC_CALL_BUDGET", str(CALL_BUDGET))


def test_a_long_parental_leave_is_spread_over_jobs_with_progress_on_the_absence(
        world, small_call_budget, cluster, client_for):
    expected = fortnox_work_days(START, WORK_DAYS)
    absence = hr_actions.do_register_absence(world.anna, {
        "absence_type": world.types["parental_leave"], "start_date": START, "end_date": date.fromisoformat(expected[-1]),
        "grade": 100, "note": "Föräldraledighet"}, acting_user=world.tenant.hr_admin)
    client = client_for(world.tenant.hr_admin)
    seen, deadline = set(), time.monotonic() + 120
    while time.monotonic() < deadline:
        page = client.get(reverse("absence_fortnox_state", args=[absence.pk]), HTTP_HX_REQUEST="true").content.decode()
        seen |= {phrase for phrase in ("Reading the working-time schedule", "Sending days to Fortnox", "hx-trigger") if phrase in page}
        if f"{WORK_DAYS} days, {8 * WORK_DAYS} h in Fortnox" in page and "Sent to Fortnox" in page:
            break
        time.sleep(0.3)
    else:
        raise AssertionError(f"not transferred in time: {page}")
    assert [t[0] for t in world.transactions()] == expected and {t[1] for t in world.transactions()} == {"FPE"}
    assert {"Sending days to Fortnox", "hx-trigger"} <= seen
    run = SyncRun.objects.get(pk=AbsenceTransfer.objects.get().run_id)
    assert run.status == SyncRun.Status.SUCCEEDED and run.counts == {"created": WORK_DAYS}
    assert run.api_calls > 2 * CALL_BUDGET
    assert OutboxEvent.objects.filter(kind="absence_sync").count() >= 3  # one job per share of calls
    assert not OutboxEvent.objects.exclude(status=OutboxEvent.Status.DONE).exists()
