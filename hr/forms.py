from decimal import Decimal

from django import forms
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations.edit_conflicts import ConcurrentEditForm
from organizations.models import User

from . import outside, working_time
from .models import Absence, AbsenceStatus, AbsenceType, Employee
from .validators import format_hours


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class SuggestionsInput(forms.TextInput):
    """A text input offering known values (a <datalist>) while accepting others."""

    def __init__(self, suggestions, attrs=None):
        super().__init__(attrs)
        self.suggestions = list(suggestions)

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html, format_html_join

        options = format_html_join("", '<option value="{}">', ((code,) for code in self.suggestions))
        return format_html('{}<datalist id="{}">{}</datalist>', super().render(name, value, attrs, renderer),
                           self.attrs["list"], options)


MANAGER_SEARCH_RESULTS = 20


def manager_options_context(candidates, chosen_pk: int | None, search: str = "") -> dict:
    """What hr/_manager_options.html lists: the chosen manager first, so that a search never
    changes the choice by itself, then up to MANAGER_SEARCH_RESULTS others the search finds."""
    chosen = candidates.filter(pk=chosen_pk).first() if chosen_pk is not None else None
    found = candidates.search(search).exclude(pk=chosen_pk)[:MANAGER_SEARCH_RESULTS] if search else []
    return {"chosen": chosen, "managers": ([chosen] if chosen else []) + list(found)}


class ManagerSearchSelect(forms.Select):
    """The manager <select> beside a search field: it holds "none", the chosen manager and what
    the search found (htmx asks hr:manager_options as one types), never every employee, so the
    page stays small with thousands of them. Without JavaScript it keeps or clears the choice.
    What may be chosen is still the field's queryset."""

    editing = None  # the pk of the employee being edited: the search leaves them out

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine, not the form renderer: the default renderer looks only
        # in apps, and the options are the same template hr:manager_options answers with.
        attrs = self.build_attrs(self.attrs, attrs)
        chosen_pk = next((int(v) for v in self.format_value(value) if v.isdecimal()), None)
        return render_to_string("hr/_manager_search.html", {
            "name": name, "id": attrs["id"], "attrs": flatatt(attrs), "exclude": self.editing,
            **manager_options_context(self.choices.queryset, chosen_pk),
        })


class EmployeeForm(ConcurrentEditForm):
    """The instance carries the organization; validation (including the database constraints)
    happens in the model, so the messages are the same here, in the admin and in the actions."""

    class Meta:
        model = Employee
        fields = [
            "given_name", "family_name", "email", "employment_id", "phone", "street", "postal_code", "city",
            "country", "clearing_number", "account_number", "employment_start", "employment_end",
            "personal_identity_number", "job_title", "employment_form", "salary_form", "personnel_type",
            "tax_table", "tax_column", "schedule", "manager", "user", "active",
        ]
        widgets = {
            "employment_start": DateInput(), "employment_end": DateInput(), "manager": ManagerSearchSelect(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.instance.organization
        self.fields["manager"].queryset = Employee.objects.possible_managers(
            organization, of=self.instance.pk, current=self.instance.manager_id)
        self.fields["manager"].widget.editing = self.instance.pk
        self.fields["user"].queryset = User.objects.filter(memberships__organization=organization).order_by("email")
        self.fields["user"].label_from_instance = lambda user: user.email
        self.fields["postal_code"].help_text = _("Five digits in Sweden, e.g. 123 45.")
        self.fields["clearing_number"].help_text = _("Four digits (five for Swedbank accounts with clearing 8xxx-x).")
        self.fields["account_number"].help_text = _("Digits after the clearing number; spaces and dashes are ignored.")
        self.fields["personal_identity_number"].help_text = _(
            "Personnummer or samordningsnummer, YYYYMMDD-NNNN (ten digits are read too)."
        )
        codes = working_time.schedule_codes(organization)
        if codes:
            self.fields["schedule"].widget = SuggestionsInput(codes, attrs={"list": "schedule-codes"})
            self.fields["schedule"].help_text = format_lazy(
                "{} {}", _("The payroll system's schedule code; known there:"), ", ".join(codes),
            )


class HoursField(forms.DecimalField):
    """Hours as people type them: "2", "1.5" or, in Swedish, "1,5"."""

    default_error_messages = {"invalid": _("Enter the hours as a number, e.g. 2 or 1.5.")}

    def prepare_value(self, value):
        """2, not "2.00"; 1,5 in Swedish."""
        if isinstance(value, Decimal):
            return format_hours(value)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".").replace(" ", "")
        return super().to_python(value)


WHOLE_DAYS, PART_OF_A_DAY = "days", "hours"


class AbsenceForm(ConcurrentEditForm):
    """Built on an instance that already has its organization, employee and status, so the
    overlap check and the day's scheduled hours in `Absence.clean` apply to the form too.

    "Length" chooses whole days (first and last day, extent) or part of a day (one day, hours);
    brygga.js shows only the chosen one's fields (and leaves the other's out of the post). The
    model's rules decide; the form only drops what the other choice left behind."""

    length = forms.ChoiceField(
        label=_("Length"), choices=[(WHOLE_DAYS, _("Whole days")), (PART_OF_A_DAY, _("Part of a day (hours)"))],
        initial=WHOLE_DAYS, required=False, widget=forms.RadioSelect(attrs={"data-length-choice": ""}),
    )

    class Meta:
        model = Absence
        fields = ["absence_type", "start_date", "end_date", "grade", "hours", "note"]
        field_classes = {"hours": HoursField}
        widgets = {
            "start_date": DateInput(), "end_date": DateInput(attrs={"data-shown-for": WHOLE_DAYS}),
            "grade": forms.NumberInput(attrs={"data-shown-for": WHOLE_DAYS}),
            "hours": forms.TextInput(attrs={"data-shown-for": PART_OF_A_DAY, "inputmode": "decimal", "size": 6}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        AbsenceType.objects.ensure_defaults(self.instance.organization)
        self.fields["absence_type"].queryset = AbsenceType.objects.for_organization(self.instance.organization).filter(
            active=True,
        )
        self.fields["absence_type"].empty_label = None
        self.fields["grade"].required = False  # left out of the post for part of a day; required for whole days in clean()
        self.fields["hours"].help_text = _("In quarter hours, e.g. 2 or 1.5; at most the hours you work that day.")
        if self.instance.hours is not None:
            self.initial["length"] = PART_OF_A_DAY
        order = ["absence_type", "length", "start_date", "end_date", "grade", "hours", "note"]
        self.order_fields(order)

    def clean(self):
        # Without the choice (a post from before it, or a script), hours make it part of a day.
        length = self.cleaned_data.get("length") or (
            PART_OF_A_DAY if self.cleaned_data.get("hours") is not None or "hours" in self.errors else WHOLE_DAYS)
        if length == PART_OF_A_DAY:
            if self.cleaned_data.get("hours") is None and "hours" not in self.errors:
                self.add_error("hours", forms.ValidationError(
                    _("Enter how many hours of the day you are away, e.g. 2."), code="required"))
            self.cleaned_data["grade"] = 100
            if self.cleaned_data.get("end_date") is None and "end_date" not in self.errors:
                self.cleaned_data["end_date"] = self.cleaned_data.get("start_date")
        elif length == WHOLE_DAYS:
            self.cleaned_data["hours"] = None
            self.errors.pop("hours", None)  # the other choice's field: not part of this absence
            if self.cleaned_data.get("grade") is None and "grade" not in self.errors:
                self.add_error("grade", forms.ValidationError(self.fields["grade"].error_messages["required"], code="required"))
        return super().clean()


class RegisterAbsenceForm(AbsenceForm):
    approved = forms.BooleanField(
        label=_("Approved"), required=False, initial=True,
        help_text=_("Untick to register it as a request that the manager still has to decide."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.status = AbsenceStatus.APPROVED


class FailedInFilter(forms.Form):
    """A list's "failed in …" filter, one choice per system the records are sent to (hr.outside)."""

    kind = None  # "employee" or "absence"
    failed_in = forms.ChoiceField(label=_("Transfer"), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["failed_in"].choices = [("", _("Any"))] + [
            (tracker.key, format_lazy(_("Failed in {system}"), system=tracker.name)) for tracker in outside.TRACKERS]

    def only_failed(self, objects):
        key = self.cleaned_data.get("failed_in")
        return outside.only_failed(objects, self.kind, self.organization, key) if key else objects


class EmployeeFilterForm(FailedInFilter):
    STATUS_CHOICES = [("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))]
    kind = "employee"

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)

    def filter(self, employees):
        """Filters by the valid parts of the form; an invalid status is reported by the form."""
        self.is_valid()
        data = self.cleaned_data
        status = data.get("status") or "active"
        if status != "all":
            employees = employees.filter(active=status == "active")
        if data.get("q"):
            employees = employees.search(data["q"])
        return self.only_failed(employees)


class AbsenceFilterForm(FailedInFilter):
    kind = "absence"

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All"))] + AbsenceStatus.choices, required=False)

    def filter(self, absences):
        self.is_valid()
        data = self.cleaned_data
        if data.get("status"):
            absences = absences.filter(status=data["status"])
        if data.get("q"):
            absences = absences.filter(employee__in=Employee.objects.filter(organization=self.organization).search(data["q"]))
        return self.only_failed(absences)


class ManagerOptionsForm(forms.Form):
    """The query of hr:manager_options, as the manager field's search sends it."""

    q = forms.CharField(required=False, max_length=100)
    exclude = forms.IntegerField(required=False)  # the employee being edited
    manager = forms.IntegerField(required=False)  # the manager chosen so far
