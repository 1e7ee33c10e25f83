from django import template
from django.utils.translation import gettext_lazy as _

from integrations.models import FortnoxConnection

register = template.Library()


@register.simple_tag(takes_context=True)
def fortnox_connection_needing_reauth(context):
    """The current organization's connection when it needs re-connecting, else None (one query)."""
    organization = context.get("current_organization")
    if organization is None:
        return None
    return FortnoxConnection.objects.for_organization(organization).filter(
        status=FortnoxConnection.Status.NEEDS_REAUTH
    ).first()


@register.simple_tag
def fortnox_connection_for(organization):
    return FortnoxConnection.for_organization(organization)


# A run's counts are stored under stable keys ("orders_created", "created_in_fortnox"); people
# read them as words in their language.
COUNT_SUBJECTS = {
    "suppliers": _("Suppliers"), "articles": _("Articles"), "customers": _("Customers"), "orders": _("Orders"),
    "purchase_orders": _("Purchase orders"), "stock": _("Stock levels"),
}
COUNT_OUTCOMES = {
    "created": _("created"), "updated": _("updated"), "unchanged": _("unchanged"), "cancelled": _("cancelled"),
    "not_applied": _("changed in Fortnox but not applied (work had started)"), "written": _("written to Fortnox"),
    "failed": _("failed"), "skipped": _("skipped"),
}
COUNT_WHOLE = {
    "created_in_brygga": _("Created in Brygga"), "created_in_fortnox": _("Created in Fortnox"), "updated": _("Updated"),
    "unchanged": _("Unchanged"), "skipped": _("Skipped"), "failed": _("Failed"), "warnings": _("Warnings"),
    "sent": _("Sent to Fortnox"),
}


@register.filter
def count_labels(counts: dict) -> list[tuple[str, str, int]]:
    """[(key, label, number)] for a run's counts, in the order they were first counted."""
    shown = []
    for key, number in (counts or {}).items():
        subject, _sep, outcome = key.rpartition("_")
        if key in COUNT_WHOLE:
            label = COUNT_WHOLE[key]
        elif subject in COUNT_SUBJECTS and outcome in COUNT_OUTCOMES:
            label = f"{COUNT_SUBJECTS[subject]}: {COUNT_OUTCOMES[outcome]}"
        elif key.endswith("_not_applied") and key.removesuffix("_not_applied") in COUNT_SUBJECTS:
            label = f"{COUNT_SUBJECTS[key.removesuffix('_not_applied')]}: {COUNT_OUTCOMES['not_applied']}"
        else:
            label = key.replace("_", " ").capitalize()  # a count added later: still readable
        shown.append((key, label, number))
    return shown
