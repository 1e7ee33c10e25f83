"""Writes of the HR integration's set-up wizard, one small function each."""

from django.db import transaction
from django.utils import timezone

from hr.models import AbsenceType

from . import absences
from .models import AbsenceTypeMapping, HrIntegrationSettings


def do_accept_terms(settings: HrIntegrationSettings, *, acting_user) -> None:
    settings.terms_accepted_by, settings.terms_accepted_at = acting_user, timezone.now()
    settings.save(update_fields=["terms_accepted_by", "terms_accepted_at"])


def do_save_hr_settings(settings: HrIntegrationSettings, **values) -> None:
    """Save the settings form's choices (`create_absences`, `create_employees`, the pull's) and
    put the pull's schedule in step with them."""
    from .pull import do_update_pull_schedule

    for name, value in values.items():
        setattr(settings, name, value)
    settings.settings_saved_at = timezone.now()
    settings.save(update_fields=[*values, "settings_saved_at"])
    do_update_pull_schedule(settings)


@transaction.atomic
def do_save_mapping(settings: HrIntegrationSettings, cause_codes: dict[AbsenceType, str], *,
                    move: list = ()) -> None:
    """Save the mapping; the transactions of the `move` changes get their type's new code in
    Fortnox, any others stay under the old one, disconnected (as the reference product does).
    `move` holds remappings as `absences.transfers().remappings` gives them."""
    for remapping in move:
        absences.transfers().move_transactions(settings.organization, remapping.absence_type, remapping.old_code)
    for absence_type, cause_code in cause_codes.items():
        AbsenceTypeMapping.objects.update_or_create(
            organization_id=settings.organization_id, absence_type=absence_type, defaults={"cause_code": cause_code},
        )
    settings.mapping_saved_at = timezone.now()
    settings.save(update_fields=["mapping_saved_at"])


def next_step(settings: HrIntegrationSettings, connection) -> str:
    """Where the wizard resumes: the first step not done yet (the URL name of its page)."""
    if settings.terms_accepted_at is None or not connection.is_connected:
        return "hr_setup"
    if settings.settings_saved_at is None:
        return "hr_settings"
    if settings.create_absences and settings.mapping_saved_at is None:
        return "hr_mapping"
    return "hr_sync"
