from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from .hr_fields import BY_NAME, CAUSE_CODES, RECOMMENDED_CAUSE_CODES
from .sync_models import HrIntegrationSettings


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy("I accept the Terms of Service of the Fortnox integration"),
        error_messages={"required": gettext_lazy("Tick the box to accept the Terms of Service before connecting.")},
    )


class HrSettingsForm(forms.ModelForm):
    class Meta:
        model = HrIntegrationSettings
        fields = ["create_absences", "create_employees"]


def cause_code_choices() -> list[tuple[str, str]]:
    """Fortnox's cause codes, or "do not transfer" (blank): anything else Fortnox refuses."""
    return [("", _("Do not transfer"))] + [(code, f"{code} — {name}") for code, name in CAUSE_CODES]


class MappingForm(forms.Form):
    """One choice per absence type: a Fortnox cause code or "do not transfer" (blank)."""

    def __init__(self, *args, absence_types, mappings: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = cause_code_choices()
        self.absence_types = absence_types
        for absence_type in absence_types:
            mapping = mappings.get(absence_type.pk)
            self.fields[f"type_{absence_type.pk}"] = forms.ChoiceField(
                label=absence_type.name, choices=choices, required=False,
                initial=mapping.cause_code if mapping else RECOMMENDED_CAUSE_CODES.get(absence_type.code, ""),
            )

    def cause_codes(self) -> dict:
        return {absence_type: self.cleaned_data[f"type_{absence_type.pk}"] for absence_type in self.absence_types}


def decisions_from(plan: dict, data) -> tuple[dict, list[str]]:
    """The admin's decisions from the conflict page's POST, and what is still undecided.

    Each conflict is decided by, in order: the choice for everyone (`all`), the choice for the
    person (`person-<key>`), or the field's own choice (`field-<key>-<field>`). Missing values
    are filled when `fill-<key>-<field>` is ticked; people are created when `create-<key>` is."""
    everyone = data.get("all", "")
    winners, fill, create, undecided = {}, {}, [], []
    for person in plan["people"]:
        key = person["key"]
        if person["problems"]:
            continue
        if person["section"] == "match":
            chosen = {}
            for field in person["conflicts"]:
                chosen[field] = everyone or data.get(f"person-{key}", "") or data.get(f"field-{key}-{field}", "")
                if chosen[field] not in ("brygga", "fortnox"):
                    undecided.append(_("%(name)s: choose which %(field)s to keep.") % {"name": person["name"], "field": BY_NAME[field].label})
            winners[key] = chosen
            fill[key] = [item["field"] for item in person["missing"] if data.get(f"fill-{key}-{item['field']}")]
        elif data.get(f"create-{key}"):
            create.append(key)
    return {"winners": winners, "fill": fill, "create": create}, undecided
