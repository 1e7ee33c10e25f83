"""Quantities as people read them and as inputs want them: Decimal("10.000") is "10" (never
"10.000", which a Swedish reader takes for ten thousand, nor normalize()'s "1E+1"), 2.5 is "2,5"
to a Swedish reader and "2.5" to an English one; an <input type="number"> always wants a point."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats


def as_input(value) -> str:
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


def readable(value) -> str:
    """In the active language (the reader's, in a request)."""
    if value is None:
        return ""
    return formats.number_format(Decimal(as_input(value)), use_l10n=True)


class QuantityField(forms.DecimalField):
    """A DecimalField whose messages give their limits the reader's way ("större än eller lika
    med 0,001", not Django's "0.001")."""

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except ValidationError as error:
            # Only decimals: a whole number may choose the message's plural form ("%(max)s digits"),
            # which needs it as a number, and reads the same in both languages anyway.
            raise ValidationError([
                ValidationError(e.message, code=e.code, params={
                    key: readable(v) if isinstance(v, (Decimal, float)) else v for key, v in (e.params or {}).items()})
                for e in error.error_list
            ]) from None
