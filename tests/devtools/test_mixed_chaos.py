"""HR edits, absence changes and warehouse work in one seeded sequence, in one organization and
on one Fortnox connection (one rate limit), under every fault profile; afterwards all three
domains agree with the sandbox. More seeds run in `python manage.py benchmark --only chaos`."""

import pytest

from devtools.chaos import ChaosRun, HrChaos
from devtools.chaos.absence import AbsenceChaos
from devtools.chaos.warehouse import WarehouseChaos
from integrations.core.models import IntegrationError
from integrations.fortnox.client import FortnoxClient
from integrations.hr_sync.models import HrIntegrationSettings
from tests.support.chaos import CLIENT_TIMEOUT, assert_faults_were_injected

# Seeds of many changes under injected faults: up to a minute each on a quiet machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def test_a_mixed_sequence_of_hr_absence_and_warehouse_changes_under_faults_ends_in_agreement(
        activated, tenant, sandbox, fortnox_company, compressed_time):
    org = tenant.organization
    HrIntegrationSettings.objects.filter(organization=org).update(create_employees=True)
    domains = [domain(org, sandbox, fortnox_company.data) for domain in (HrChaos, AbsenceChaos, WarehouseChaos)]
    chaos = ChaosRun(org, sandbox, fortnox_company.data, domains, client_timeout=CLIENT_TIMEOUT)
    with FortnoxClient(activated, timeout=30) as client:  # arranging, not under test: no short timeout
        chaos.prepare(client)

    result = chaos.run(7, batches=len(chaos.profiles), steps_per_batch=5)

    assert result.disagreements == [], "\n".join(result.steps + result.disagreements)
    assert_faults_were_injected(sandbox, fortnox_company.data)
    stepped = {step.split("] ", 1)[1].split()[0] for step in result.steps}
    assert len(result.steps) == 5 * len(chaos.profiles) and len(stepped) > 3, result.steps
    assert IntegrationError.objects.filter(organization=org, status=IntegrationError.Status.OPEN).exists()
