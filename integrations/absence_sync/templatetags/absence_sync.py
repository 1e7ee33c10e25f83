from django import template

from integrations.absence_sync.state import fortnox_state

register = template.Library()


@register.simple_tag
def absence_fortnox_state(absence):
    """The absence's Fortnox state (see `state.fortnox_state`), or None without the HR integration."""
    return fortnox_state(absence)
