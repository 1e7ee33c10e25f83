"""A run's counts are stored under stable keys ("orders_created", "created_in_fortnox"); people
read them — on the run page, in its log, in the error log — as words in their language."""

from django.utils.translation import gettext_lazy as _

SUBJECTS = {
    "suppliers": _("Suppliers"), "articles": _("Articles"), "customers": _("Customers"), "orders": _("Orders"),
    "purchase_orders": _("Purchase orders"), "stock": _("Stock levels"), "ways_of_delivery": _("Ways of delivery"),
    "terms_of_delivery": _("Terms of delivery"),
}
OUTCOMES = {
    "created": _("created"), "updated": _("updated"), "unchanged": _("unchanged"), "cancelled": _("cancelled"),
    "not_applied": _("changed in Fortnox but not applied (work had started)"), "written": _("written to Fortnox"),
    "withdrawn": _("taken out of the pick queue (not fulfilled under the current setting)"),
    "failed": _("failed"), "skipped": _("skipped"), "different": _("different in Brygga and Fortnox"),
}
WHOLE = {
    "created_in_brygga": _("Created in Brygga"), "created_in_fortnox": _("Created in Fortnox"), "updated": _("Updated"),
    "unchanged": _("Unchanged"), "skipped": _("Skipped"), "failed": _("Failed"), "warnings": _("Warnings"),
    "sent": _("Sent to Fortnox"), "conflicts": _("New conflicts"), "new_in_fortnox": _("New in Fortnox"),
}


def _readable(key: str) -> str:
    return key.replace("_", " ").capitalize()  # a key added later without a label: still readable


def subject_label(subject: str) -> str:
    return str(SUBJECTS.get(subject) or _readable(subject))


def outcome_label(outcome: str) -> str:
    return str(OUTCOMES.get(outcome) or _readable(outcome).lower())


def label(key: str) -> str:
    """"orders_created" → "Orders: created", "created_in_fortnox" → "Created in Fortnox"."""
    if key in WHOLE:
        return str(WHOLE[key])
    for subject in SUBJECTS:
        if key.startswith(subject + "_"):
            return f"{subject_label(subject)}: {outcome_label(key.removeprefix(subject + '_'))}"
    return _readable(key)
