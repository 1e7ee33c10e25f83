from django import template

from integrations.fortnox_events.state import organization_stream

register = template.Library()


@register.simple_tag
def event_stream_for(organization):
    """Live or polling, and since when (None: no event stream configured)."""
    return organization_stream(organization.pk) if organization is not None else None
