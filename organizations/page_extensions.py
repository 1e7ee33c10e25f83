"""Panels that other apps add to a domain's pages, so a page names a place (a slot) and never the
app that fills it (as NetBox's template extensions do). An app registers its template for a slot
in its AppConfig.ready(); the page renders the slot with `{% page_extensions "slot" %}` (from
`organizations.templatetags.page_extensions`), and each template is rendered with the page's own
context, as an `{% include %}` would be.

Slots: "hr.absence" (an absence's page, with `absence`), "organizations.dashboard" (the
organization's dashboard, shown to those who manage its settings), "warehouse_sync.settings" (the
warehouse integration's settings page, with `settings`), "warehouse.pick_queue" (the pick queue, the
warehouse's start page, above its filters) and "warehouse.dashboard" (the warehouse's card on the
dashboard)."""

_SLOTS: dict[str, list[str]] = {}


def register(slot: str, template_name: str) -> None:
    templates = _SLOTS.setdefault(slot, [])
    if template_name not in templates:
        templates.append(template_name)


def templates_for(slot: str) -> list[str]:
    return list(_SLOTS.get(slot, ()))
