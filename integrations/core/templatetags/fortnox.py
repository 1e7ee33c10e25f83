import json

from django import template
from django.db.models import Q

from integrations.core import run_counts
from integrations.core.models import FortnoxConnection

register = template.Library()


@register.simple_tag(takes_context=True)
def fortnox_connection_needing_reauth(context):
    """The current organization's connection when it needs re-connecting, else None (one query)."""
    organization = context.get("current_organization")
    if organization is None:
        return None
    # A service account whose consent the company revoked needs re-connecting too.
    revoked = Q(status=FortnoxConnection.Status.DISCONNECTED, service_account=True) & ~Q(tenant_id="")
    return FortnoxConnection.objects.for_organization(organization).filter(
        Q(status=FortnoxConnection.Status.NEEDS_REAUTH) | revoked
    ).first()


@register.simple_tag
def fortnox_connection_for(organization):
    return FortnoxConnection.existing_or_unsaved(organization)


@register.filter
def count_labels(counts: dict) -> list[tuple[str, str, int]]:
    """[(key, label, number)] for a run's counts, in the order they were first counted."""
    return [(key, run_counts.label(key), number) for key, number in (counts or {}).items()]


@register.filter
def pretty_json(value) -> str:
    """What was sent to Fortnox, indented and with Swedish letters as they are, for an admin to
    read or paste into a support case."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
