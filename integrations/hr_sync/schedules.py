"""The working-time schedules a Fortnox company has, for the employee form's schedule choice.

Fortnox has no list of schedules (its API has `/3/scheduletimes/{EmployeeId}/{Date}` only, no
`/3/schedules`): a company's schedule codes show only on its employees (`ScheduleId`, and every
`DatedSchedules` row). So the codes offered are those Brygga has seen on the company's
employees: each synchronisation and pull records every linked person's `ScheduleId` as last
synced value (`ExternalLink.last_synced_values["schedule"]`). A code typed in that Fortnox does
not have is refused by Fortnox when it is sent, into the error log."""

from hr.models import Employee
from integrations.core.models import ExternalLink

from .links import EMPLOYEE_LINK


class FortnoxScheduleList:
    def schedule_codes(self, organization) -> list[str]:
        links = ExternalLink.links_for(organization, EMPLOYEE_LINK, Employee).values_list("last_synced_values", flat=True)
        return sorted({(values or {}).get("schedule") or "" for values in links} - {""})
