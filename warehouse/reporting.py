"""What the warehouse asks whoever reports its work elsewhere (see `signals.reporting_blocked`
and `signals.report_failed`); this app never knows who answers."""

from django.core.exceptions import ValidationError
from django.db.models import Q

from . import signals


def blocked_reason(organization_id) -> str | None:
    """Why work done now could not be reported, in the words of whoever reports it, or None."""
    for _receiver, reason in signals.reporting_blocked.send(sender=None, organization_id=organization_id):
        if reason:
            return str(reason)
    return None


def require_reportable(organization_id) -> None:
    """Refuse work that could not be reported, before anything changes."""
    if reason := blocked_reason(organization_id):
        raise ValidationError(reason)


def failed_filter(model, organization_id) -> Q:
    """`model`'s objects whose report failed for good (nothing when no one reports them)."""
    failed = Q(pk__in=[])
    for _receiver, ids in signals.report_failed.send(sender=model, organization_id=organization_id):
        if ids is not None:
            failed |= Q(pk__in=ids)
    return failed


def follow_ups(model, obj, **details) -> list[str]:
    """What follows elsewhere from `obj` (see `signals.follow_up`), in the words of whoever reports it."""
    return [str(note) for _receiver, note in signals.follow_up.send(sender=model, obj=obj, **details) if note]
