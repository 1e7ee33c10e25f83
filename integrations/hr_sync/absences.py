"""What the HR integration asks of the absence transfer (`integrations.absence_sync`, which
registers itself here in its AppConfig.ready()), so that hr_sync does not import it: absence_sync
builds on hr_sync's settings and mapping, not the other way round. Without it registered, HR's
pages show no absence states and a mapping change leaves nothing behind in Fortnox."""

from typing import Protocol


class AbsenceTransfers(Protocol):
    def states(self, absences: list) -> dict:
        """Each absence's Fortnox state (by pk), for `hr.outside`."""

    def failed_ids(self, organization):
        """The ids of the organization's absences whose transfer failed."""

    def remappings(self, organization, mappings: dict, cause_codes: dict) -> list:
        """The mapping changes that leave transactions behind in Fortnox (each with `absence_type`,
        `old_code`, `new_code` and `transactions`), for the admin to decide on."""

    def move_transactions(self, organization, absence_type, old_code: str) -> None:
        """Give the transactions under `old_code` the type's new cause code in Fortnox."""

    def transactions_under(self, organization, absence_type, cause_code: str) -> int:
        """How many transactions Fortnox holds for the type under `cause_code`."""


class _Nothing:
    def states(self, absences):
        return {}

    def failed_ids(self, organization):
        return []

    def remappings(self, organization, mappings, cause_codes):
        return []

    def move_transactions(self, organization, absence_type, old_code):
        pass

    def transactions_under(self, organization, absence_type, cause_code):
        return 0


_registered: list[AbsenceTransfers] = []


def register(transfers: AbsenceTransfers) -> None:
    _registered[:] = [transfers]


def transfers() -> AbsenceTransfers:
    return _registered[0] if _registered else _Nothing()
