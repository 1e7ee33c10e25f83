from django import template

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
