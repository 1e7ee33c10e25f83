from django import template

from organizations.stored_text import StoredText

register = template.Library()


@register.filter
def stored(value):
    """A stored text kept inside JSON (a run's `data`, a settings dict), in the reader's language;
    plain text from before stored texts is shown as written."""
    return StoredText.from_data(value)
