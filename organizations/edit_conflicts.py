"""Optimistic concurrency for edit forms: a record Fortnox or another person changed while someone
had its form open is not silently overwritten.

The form carries, signed in a hidden field, the values its fields had when it was shown. On save,
a field that has changed since then and would be overwritten is a conflict: nothing is saved, the
page shows per field what was saved meanwhile beside what the person entered, and the form keeps
the person's own changes while taking over the fields only the other side changed. Saving again
then loses neither side's work (and where both changed a field, the person has now seen theirs)."""

import copy
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.db import models
from django.forms.models import construct_instance
from django.utils import formats
from django.utils.translation import gettext as _, gettext_lazy


@dataclass(frozen=True)
class EditConflict:
    label: str
    theirs: str
    yours: str


def _raw(instance, name):
    """A field's value in a form that survives JSON (foreign keys as their primary keys)."""
    value = instance._meta.get_field(name).value_from_object(instance)
    return value if value is None or isinstance(value, bool | int | str) else str(value)


def _shown(instance, name) -> str:
    field = instance._meta.get_field(name)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    value = getattr(instance, name)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(formats.localize(value)) if not isinstance(value, models.Model) else str(value)


class ConcurrentEditForm(forms.ModelForm):
    """Base for the ModelForm of a record that can change while its form is open."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    stale_message = gettext_lazy(
        "This record was changed (in Fortnox or by someone else) while you were editing it, so nothing was saved. "
        "Below is what was saved meanwhile beside what you entered. Your own changes are still in the form; the "
        "fields you did not touch now show the saved values. Check them and save again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_conflicts = []
        if self.instance.pk is not None and not self.is_bound:
            self.initial["version"] = self._sign(self._values(self.instance))

    def _edited(self):
        return [name for name in self._meta.fields if name in self.fields]

    def _values(self, instance) -> dict:
        return {name: _raw(instance, name) for name in self._edited()}

    def _salt(self) -> str:
        return f"edit-version:{self.instance._meta.label}:{self.instance.pk}"

    def _sign(self, values: dict) -> str:
        return signing.dumps(values, salt=self._salt(), compress=True)

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("version")
        if self.instance.pk is None or not token:
            return cleaned
        try:
            shown = signing.loads(token, salt=self._salt())
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form does not belong to this record any more. Open it again and re-enter your changes."),
                code="bad_version",
            ) from None
        saved = self._values(self.instance)
        entered_instance = construct_instance(self, copy.copy(self.instance), fields=[n for n in self._edited() if n in cleaned])
        entered = self._values(entered_instance)
        changed_meanwhile = [
            name for name in self._edited() if name in cleaned and saved[name] != shown.get(name) and entered[name] != saved[name]
        ]
        if changed_meanwhile:
            self.edit_conflicts = [
                EditConflict(str(self.fields[name].label), _shown(self.instance, name), _shown(entered_instance, name))
                for name in changed_meanwhile
            ]
            self._take_over(
                [name for name in changed_meanwhile if entered[name] == shown.get(name)], saved,
            )
            raise forms.ValidationError(self.stale_message, code="edited_meanwhile")
        return cleaned

    def _take_over(self, names, saved):
        """Puts the saved values of `names` (which the person did not touch) into the form, and
        the saved version into its hidden field, so that saving again keeps them."""
        data = self.data.copy()
        for name in names:
            key = self.add_prefix(name)
            value = saved[name]
            if isinstance(self.fields[name].widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
                else:
                    data.pop(key, None)
            else:
                data[key] = "" if value is None else str(value)
        data[self.add_prefix("version")] = self._sign(saved)
        self.data = data
