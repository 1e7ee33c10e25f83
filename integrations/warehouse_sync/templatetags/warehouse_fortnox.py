"""Where warehouse work stands with Fortnox (see `integrations.warehouse_sync.state`), for the
warehouse's pages, which know nothing of Fortnox themselves."""

from django import template

from integrations.warehouse_sync.state import report_state, report_states

register = template.Library()


@register.simple_tag
def fortnox_report_state(obj):
    return report_state(obj)


@register.simple_tag
def fortnox_report_states(objects, related: str = "") -> dict:
    """The states of a list's objects by id, in a few queries for the whole list; with `related`,
    of the objects they point to by that name (an adjustment of the ledger's movements)."""
    objects = [getattr(obj, related) for obj in objects if getattr(obj, f"{related}_id")] if related else list(objects)
    if not objects:
        return {}
    return report_states(type(objects[0]), objects[0].organization_id, [obj.pk for obj in objects])


@register.filter
def state_of(states: dict, pk):
    return states.get(pk)
