"""HR edits pushed through the outbox while the sandbox injects faults; afterwards Brygga and the
sandbox agree exactly. More seeds run in `python manage.py benchmark --only chaos`."""

import pytest

from devtools.chaos import HrChaos
from integrations.core.models import IntegrationError, OutboxEvent
from tests.support.chaos import SEEDS, assert_faults_were_injected

# Seeds of many changes under injected faults: up to a minute each on a quiet machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.mark.parametrize("seed", SEEDS)
def test_hr_edits_under_faults_end_with_brygga_and_fortnox_in_agreement(hr_chaos, sandbox, fortnox_company, tenant, seed):
    result = hr_chaos.run(seed, batches=len(hr_chaos.profiles), steps_per_batch=3)

    assert result.disagreements == [], "\n".join(result.steps + result.disagreements)
    assert_faults_were_injected(sandbox, fortnox_company.data)
    assert OutboxEvent.objects.filter(organization=tenant.organization, status=OutboxEvent.Status.DONE).exists()


def test_a_person_fortnox_already_knows_under_another_email_is_a_visible_permanent_failure(hr_chaos, tenant):
    from hr import actions as hr_actions

    hr_actions.do_create_employee(tenant.organization, {
        "given_name": "Dubbel", "family_name": "Nummer", "email": "dubbel@alfa.test", "employment_id": HrChaos.TAKEN_ID,
    }, acting_user=None)
    from devtools.chaos import drain

    drain(tenant.organization)

    entry = IntegrationError.objects.get(organization=tenant.organization)
    assert entry.status == IntegrationError.Status.OPEN and HrChaos.TAKEN_ID in entry.message
    assert entry.outbox_event.status == OutboxEvent.Status.FAILED
    assert hr_chaos.disagreements() == []
