"""Edits on both sides under faults (issue 21): people edited in Brygga (pushed through the
outbox) and in Fortnox (the sandbox's control API), some of one field on both sides between two
pulls, the scheduled pull's job after every batch; afterwards nothing is lost or silently
overwritten and every two-sided change was exactly one conflict. More seeds and 100 people run in
`python manage.py benchmark --only hr_chaos`."""

import pytest

from devtools.chaos import ChaosRun
from devtools.chaos.hr_both_ways import HrBothWaysChaos
from tests.support.chaos import SEEDS, assert_faults_were_injected

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
PROFILES = ("server errors", "dropped after write", "429 burst", "everything")


@pytest.mark.parametrize("seed", SEEDS)
def test_edits_on_both_sides_under_faults_lose_nothing_overwrite_nothing_and_each_clash_is_one_conflict(
        activated, tenant, sandbox, fortnox_company, compressed_time, seed):
    domain = HrBothWaysChaos(tenant.organization, sandbox, fortnox_company.data, size=10, both_rate=0.4)
    chaos = ChaosRun(tenant.organization, sandbox, fortnox_company.data, [domain])
    # The profiles of errors and dropped answers (latency and timeouts only slow a run down: the
    # benchmark has them).
    chaos.profiles = {name: chaos.profiles[name] for name in PROFILES}
    chaos.prepare(None)

    result = chaos.run(seed, batches=len(PROFILES), steps_per_batch=4)

    assert result.disagreements == [], "\n".join(result.steps + result.disagreements)
    assert_faults_were_injected(sandbox, fortnox_company.data)
    assert domain.figures["two_sided"] > 0 and domain.figures["conflicts"] == domain.figures["two_sided"], domain.figures
    assert len(domain.pulls) == len(PROFILES)
