from django import template
from django.utils.safestring import mark_safe

from organizations.page_extensions import templates_for

register = template.Library()


@register.simple_tag(takes_context=True)
def page_extensions(context, slot):
    """The panels registered for `slot`, each rendered with the page's context."""
    engine = context.template.engine
    rendered = []
    for name in templates_for(slot):
        with context.push():
            rendered.append(engine.get_template(name).render(context))
    return mark_safe("".join(rendered))  # noqa: S308 (templates render escaped; this only joins them)
