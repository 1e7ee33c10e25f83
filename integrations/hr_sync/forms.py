from django import forms
from django.utils.translation import gettext as _, gettext_lazy

from organizations.edit_conflicts import ConcurrentEditForm

from .fields import BY_NAME, CAUSE_CODES, RECOMMENDED_CAUSE_CODES
from .models import HrIntegrationSettings


class TermsForm(forms.Form):
    accept = forms.BooleanField(
        label=gettext_lazy("I accept the Terms of Service of the Fortnox integration"),
        error_messages={"required": gettext_lazy("Tick the box to accept the Terms of Service before connecting.")},
    )


class HrSettingsForm(ConcurrentEditForm):
    class Meta:
        model = HrIntegrationSettings
        fields = ["create_absences", "create_employees", "pull_enabled", "pull_interval_minutes", "add_new_people"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pull_interval_minutes"].required = False  # left empty: as it is

    def clean_pull_interval_minutes(self):
        return self.cleaned_data.get("pull_interval_minutes") or self.instance.pull_interval_minutes


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


def decisions_from(plan: dict, data) -> tuple[dict, list[str], list[str]]:
    """The admin's decisions from the conflict page's POST, what is still undecided, and which
    specific choices override a more general one (in words, for the page to show).

    The most specific choice wins: a field's own choice (`field-<key>-<field>`), else the
    person's (`person-<key>`), else the choice for everyone (`all`). Missing values are filled
    when `fill-<key>-<field>` is ticked; people are created when `create-<key>` is."""
    everyone = _side(data.get("all"))
    winners, fill, create, undecided, overrides = {}, {}, [], [], []
    for person in plan["people"]:
        key = person["key"]
        if person["problems"]:
            continue
        if person["section"] == "match":
            for_person = _side(data.get(f"person-{key}"))
            if for_person and everyone and for_person != everyone and person["conflicts"]:
                overrides.append(_("%(name)s: %(side)s for all their conflicts, instead of %(general)s for everyone.") % {
                    "name": person["name"], "side": SIDE_NAMES[for_person], "general": SIDE_NAMES[everyone]})
            chosen = {}
            for field in person["conflicts"]:
                own, general = _side(data.get(f"field-{key}-{field}")), for_person or everyone
                chosen[field] = own or general
                if own and general and own != general:
                    overrides.append(_("%(name)s, %(field)s: %(side)s, instead of %(general)s.") % {
                        "name": person["name"], "field": BY_NAME[field].label, "side": SIDE_NAMES[own],
                        "general": SIDE_NAMES[general]})
                if not chosen[field]:
                    undecided.append(_("%(name)s: choose which %(field)s to keep.") % {"name": person["name"], "field": BY_NAME[field].label})
            winners[key] = chosen
            fill[key] = [item["field"] for item in person["missing"] if data.get(f"fill-{key}-{item['field']}")]
        elif data.get(f"create-{key}"):
            create.append(key)
    return {"winners": winners, "fill": fill, "create": create}, undecided, overrides


SIDE_NAMES = {"brygga": "Brygga", "fortnox": "Fortnox"}


def _side(value) -> str:
    """"brygga" or "fortnox" as posted, "" for no choice (or anything else)."""
    return value if value in SIDE_NAMES else ""
