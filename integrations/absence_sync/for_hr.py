"""The absence transfer as the HR integration sees it (`integrations.hr_sync.absences`):
registered in AbsenceSyncConfig.ready()."""

from . import actions, state


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
