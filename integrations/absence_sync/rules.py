"""When an absence qualifies for Fortnox, and in words why not when it does not."""

from django.utils.translation import gettext_lazy as _

from hr.models import AbsenceStatus

NOT_ENABLED = _("“Create absence in Fortnox when added in Brygga” is off, or the HR integration is not activated.")
NOT_LINKED = _("The employee is not linked to a Fortnox employee (synchronise users first).")
NOT_APPROVED = _("The absence is not approved.")
NO_END_DATE = _("The absence has no last day yet.")
NOT_MAPPED = _("Its absence type is not mapped to a Fortnox cause code.")
DO_NOT_TRANSFER = _("Its absence type is mapped to “Do not transfer”.")
NOT_WORK_DAYS = _("Its absence type is not counted in work days.")
UNREASONABLE_DATES = _("Its dates are outside 1900–2100 or span more than two years: correct them (split a longer absence).")
BEFORE_ACTIVATION = _("It was approved before the integration was activated (a backfill can send it).")
NEVER_QUEUED = _("It was approved while “Create absence in Fortnox when added in Brygga” was off: send it from its page.")


def reason_not_transferred(absence, *, settings, cause_code, employee_linked: bool, backfilled: bool):
    """None when the absence qualifies, else the first rule it fails (a lazy translated text).
    `cause_code` is the type's mapping: None when unmapped, "" for "do not transfer"."""
    if settings is None or not (settings.is_active and settings.create_absences):
        return NOT_ENABLED
    if not employee_linked:
        return NOT_LINKED
    if absence.status != AbsenceStatus.APPROVED:
        return NOT_APPROVED
    if absence.end_date is None:
        return NO_END_DATE
    if not absence.has_sane_dates or absence.too_long:
        return UNREASONABLE_DATES
    if cause_code is None:
        return NOT_MAPPED
    if cause_code == "":
        return DO_NOT_TRANSFER
    if not absence.absence_type.counts_as_work_days:
        return NOT_WORK_DAYS
    if not backfilled and (absence.decided_at is None or absence.decided_at < settings.activated_at):
        return BEFORE_ACTIVATION
    return None
