"""The absence transfer as the HR integration sees it (`integrations.hr_sync.absences`):
registered in AbsenceSyncConfig.ready()."""

import logging
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from hr.working_time import ScheduledDay
from integrations.core.models import FortnoxConnection
from integrations.fortnox.errors import FortnoxError
from integrations.hr_sync.models import HrIntegrationSettings

from . import actions, state
from .schedule import day_hours

logger = logging.getLogger(__name__)
FORTNOX_SCHEDULE = _("their working-time schedule in Fortnox")


class AbsenceTransfers:
    def states(self, absences: list) -> dict:
        return state.fortnox_states(absences)

    def failed_ids(self, organization):
        return state.failed_absence_ids(organization)

    def remappings(self, organization, mappings: dict, cause_codes: dict) -> list:
        return state.remappings(organization, mappings, cause_codes)

    def move_transactions(self, organization, absence_type, old_code: str) -> None:
        actions.do_move_transactions(organization, absence_type, old_code)

    def transactions_under(self, organization, absence_type, cause_code: str) -> int:
        return state.held_under(organization, absence_type, cause_code).count()


class FortnoxSchedules:
    """The day's hours in the person's Fortnox working-time schedule (`hr.working_time`), the same
    reading the transfer uses (cached per month): for people linked to a Fortnox employee while
    the HR integration is active. When Fortnox cannot answer now, Brygga's calendar stands in
    and the transfer sends what was registered (Fortnox then decides)."""

    def day_of(self, employee, day):
        settings = HrIntegrationSettings.objects.for_organization(employee.organization_id).first()
        if settings is None or not settings.is_active:
            return None
        employee_id = state.fortnox_employee_id(employee)
        if employee_id is None:
            return None
        try:
            with FortnoxConnection.client_for(employee.organization) as client:
                hours = day_hours(client, employee_id, day)
        except FortnoxError as error:
            logger.warning("Could not read the Fortnox schedule of %s on %s: %s", employee_id, day, error)
            return None
        return ScheduledDay(Decimal(str(hours)), FORTNOX_SCHEDULE)
