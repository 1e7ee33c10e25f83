"""Optimistic concurrency for edit forms: a record Fortnox or another person changed while someone
had its form open is not silently overwritten.

The form carries, signed in a hidden field, what the person was shown. On save, what changed since
in a way the save would overlook is a conflict: nothing is saved, and the page shows per field what
was saved meanwhile beside what the person entered. An edit form keeps the person's own changes
while taking over the fields only the other side changed, so saving again loses neither side's
work (and where both changed a field, the person has now seen theirs)."""

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


class VersionGuard:
    """Mixin for a form: signs a snapshot of what the person was shown (`version_values`) into a
    hidden field, and on save refuses (with `edit_conflicts` to show) when `find_conflicts` finds
    that what they were shown has changed in a way their save would overlook."""

    stale_message = gettext_lazy(
        "This record was changed (in Fortnox or by someone else) while you were editing it, so nothing was saved. "
        "Below is what was saved meanwhile beside what you entered. Your own changes are still in the form; the "
        "fields you did not touch now show the saved values. Check them and save again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.edit_conflicts = []
        self.fields["version"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.guards_version() and not self.is_bound:
            self.initial["version"] = self._sign(self.version_values())

    def guards_version(self) -> bool:
        """False for a form that creates a record: nobody else can have changed it."""
        return True

    def version_values(self) -> dict:
        raise NotImplementedError

    def version_salt(self) -> str:
        raise NotImplementedError

    def find_conflicts(self, shown: dict, current: dict, cleaned: dict) -> list[EditConflict]:
        raise NotImplementedError

    def keep_after_conflict(self, data, shown: dict, current: dict) -> None:
        """Adjust the re-shown form's `data` (a mutable copy) after a conflict."""

    def _sign(self, values: dict) -> str:
        return signing.dumps(values, salt=self.version_salt(), compress=True)

    def clean(self):
        cleaned = super().clean()
        token = cleaned.get("version")
        if not token or not self.guards_version():
            return cleaned
        try:
            shown = signing.loads(token, salt=self.version_salt())
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form does not belong to this record any more. Open it again and re-enter your changes."),
                code="bad_version",
            ) from None
        current = self.version_values()
        self.edit_conflicts = self.find_conflicts(shown, current, cleaned)
        if self.edit_conflicts:
            data = self.data.copy()
            self.keep_after_conflict(data, shown, current)
            data[self.add_prefix("version")] = self._sign(current)  # saving again is a knowing decision
            self.data = data
            raise forms.ValidationError(self.stale_message, code="edited_meanwhile")
        return cleaned


class ConcurrentEditForm(VersionGuard, forms.ModelForm):
    """Base for the ModelForm of a record that can change while its form is open: a field changed
    since the form was shown, which the save would overwrite, is a conflict."""

    def guards_version(self) -> bool:
        return self.instance.pk is not None

    def _edited(self):
        return [name for name in self._meta.fields if name in self.fields]

    def version_values(self) -> dict:
        return {name: _raw(self.instance, name) for name in self._edited()}

    def version_salt(self) -> str:
        return f"edit-version:{self.instance._meta.label}:{self.instance.pk}"

    def find_conflicts(self, shown, current, cleaned):
        names = [name for name in self._edited() if name in cleaned]
        entered_instance = construct_instance(self, copy.copy(self.instance), fields=names)
        self._entered = {name: _raw(entered_instance, name) for name in names}
        return [
            EditConflict(str(self.fields[name].label), _shown(self.instance, name), _shown(entered_instance, name))
            for name in names if current[name] != shown.get(name) and self._entered[name] != current[name]
        ]

    def keep_after_conflict(self, data, shown, current):
        """Fields the person did not touch take the saved value, so saving again keeps it."""
        for name, entered in self._entered.items():
            if current[name] == shown.get(name) or entered != shown.get(name):
                continue
            key, value = self.add_prefix(name), current[name]
            if isinstance(self.fields[name].widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
                else:
                    data.pop(key, None)
            else:
                data[key] = "" if value is None else str(value)
