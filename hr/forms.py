from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import User

from .models import Absence, AbsenceStatus, AbsenceType, Employee


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EmployeeForm(forms.ModelForm):
    """The instance carries the organization; validation (including the database constraints)
    happens in the model, so the messages are the same here, in the admin and in the actions."""

    class Meta:
        model = Employee
        fields = [
            "given_name", "family_name", "email", "employment_id", "phone", "street", "postal_code", "city",
            "country", "clearing_number", "account_number", "employment_start", "employment_end",
            "personal_identity_number", "manager", "user", "active",
        ]
        widgets = {"employment_start": DateInput(), "employment_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        organization = self.instance.organization
        managers = Employee.objects.for_organization(organization).filter(active=True).only(
            "given_name", "family_name",
        )
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = managers
        self.fields["user"].queryset = User.objects.filter(memberships__organization=organization).order_by("email")
        self.fields["user"].label_from_instance = lambda user: user.email
        self.fields["postal_code"].help_text = _("Five digits in Sweden, e.g. 123 45.")
        self.fields["clearing_number"].help_text = _("Four digits (five for Swedbank accounts with clearing 8xxx-x).")
        self.fields["account_number"].help_text = _("Digits after the clearing number; spaces and dashes are ignored.")


class AbsenceForm(forms.ModelForm):
    """Built on an instance that already has its organization, employee and status, so the
    overlap check in `Absence.clean` runs for the form too."""

    class Meta:
        model = Absence
        fields = ["absence_type", "start_date", "end_date", "grade", "note"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        AbsenceType.objects.ensure_defaults(self.instance.organization)
        self.fields["absence_type"].queryset = AbsenceType.objects.for_organization(self.instance.organization).filter(
            active=True,
        )
        self.fields["absence_type"].empty_label = None


class RegisterAbsenceForm(AbsenceForm):
    approved = forms.BooleanField(
        label=_("Approved"), required=False, initial=True,
        help_text=_("Untick to register it as a request that the manager still has to decide."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.status = AbsenceStatus.APPROVED


class EmployeeFilterForm(forms.Form):
    STATUS_CHOICES = [("active", _("Active")), ("inactive", _("Inactive")), ("all", _("All"))]

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
        return employees
