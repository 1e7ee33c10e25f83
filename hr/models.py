from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, gettext_lazy as _

from organizations.models import OrganizationOwned
from organizations.origin import Origin
from organizations.permissions import Perm, user_can
from organizations.stored_text import StoredCharField, StoredText, StoredTextField

from . import calendar, validators, working_time


class ConstraintErrorsByField:
    """Puts the database constraints' messages on the form field they are about (Django reports
    constraints over several fields as non-field errors), and validates constraints that involve
    the organization too: forms never show that field, but the instance always has it."""

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        exclude = set(exclude or ()) - {"organization"}
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            by_field = {}
            for item in error.error_dict.get(NON_FIELD_ERRORS, []):
                by_field.setdefault(self.constraint_error_fields.get(item.code, NON_FIELD_ERRORS), []).append(item)
            for field, items in error.error_dict.items():
                if field != NON_FIELD_ERRORS:
                    by_field.setdefault(field, []).extend(items)
            raise ValidationError(by_field) from error


class EmploymentForm(models.TextChoices):
    PERMANENT = "permanent", _("Permanent (tillsvidare)")
    PROBATION = "probation", _("Probationary (provanställning)")
    FIXED_TERM = "fixed_term", _("Fixed-term (tidsbegränsad)")
    SPECIAL_FIXED_TERM = "special_fixed_term", _("Special fixed-term (särskild visstid)")
    SUBSTITUTE = "substitute", _("Substitute (vikariat)")
    PROJECT = "project", _("Project (projektanställning)")
    INTERNSHIP = "internship", _("Internship (praktik)")
    HOLIDAY_JOB = "holiday_job", _("Holiday job (feriearbete)")
    SEASONAL = "seasonal", _("Seasonal (säsong)")
    NOT_EMPLOYED = "not_employed", _("Not employed (ej anställd)")


class SalaryForm(models.TextChoices):
    MONTHLY = "monthly", _("Monthly salary")
    HOURLY = "hourly", _("Hourly pay")


class PersonnelType(models.TextChoices):
    SALARIED = "salaried", _("Salaried employee (tjänsteman)")
    WORKER = "worker", _("Worker (arbetare)")


class EmployeeQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def search(self, text: str):
        query = Q()
        for word in text.split():
            query &= (
                Q(given_name__icontains=word) | Q(family_name__icontains=word)
                | Q(email__icontains=word) | Q(employment_id__icontains=word)
            )
        return self.filter(query)

    def possible_managers(self, organization, of=None, current=None):
        """Whom an employee (`of`, a pk; None for a new one) may report to: the organization's other
        active employees, and the manager they have now (`current`, a pk) even if that one has
        left, so that saving some other change does not drop them. A manager cycle is left to
        `Employee.clean`, which names the people."""
        managers = self.for_organization(organization).filter(Q(active=True) | Q(pk=current))
        return managers if of is None else managers.exclude(pk=of)


class Employee(ConstraintErrorsByField, OrganizationOwned):
    """A person employed by the organization: the HR record (and what a payroll system needs)."""

    email = models.EmailField(_("email address"))
    employment_id = models.CharField(
        _("employment ID"), max_length=15, help_text=_("Up to 15 characters, unique in the organization."),
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True,
        help_text=_("Stored in international form; numbers without a country code are read as Swedish."),
    )
    street = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="SE", help_text=_("Two-letter ISO code, e.g. SE."))
    clearing_number = models.CharField(_("clearing number"), max_length=5, blank=True)
    account_number = models.CharField(_("account number"), max_length=10, blank=True)
    employment_start = models.DateField(_("employment start"), null=True, blank=True, validators=[validators.validate_sane_date])
    employment_end = models.DateField(_("employment end"), null=True, blank=True, validators=[validators.validate_sane_date])
    personal_identity_number = models.CharField(
        _("personal identity number"), max_length=13, blank=True, help_text=_("YYYYMMDD-NNNN. Optional."),
    )
    # What payroll needs (personal identity number above, too). HR admins see and edit them;
    # everyone else sees at most their own (see `PAYROLL_PRIVATE_FIELDS`).
    job_title = models.CharField(_("job title"), max_length=30, blank=True)
    employment_form = models.CharField(_("employment form"), max_length=20, blank=True, choices=EmploymentForm.choices)
    salary_form = models.CharField(_("salary form"), max_length=10, blank=True, choices=SalaryForm.choices)
    personnel_type = models.CharField(_("personnel type"), max_length=10, blank=True, choices=PersonnelType.choices)
    tax_table = models.CharField(
        _("tax table"), max_length=2, blank=True, validators=[validators.validate_tax_table],
        help_text=_("Skatteverket's table number (29–42), from the person's municipality."),
    )
    tax_column = models.PositiveSmallIntegerField(
        _("tax column"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text=_("1–6; column 1 for most salaried people under 66."),
    )
    schedule = models.CharField(
        _("working-time schedule"), max_length=20, blank=True,
        help_text=_("The payroll system's schedule code (e.g. HEL for full time). Empty: no hours are scheduled there."),
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("manager"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="employee_records", verbose_name=_("user account"),
        help_text=_("The Brygga login of this person, so they can request absence and approve the absences of the people who report to them."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    objects = EmployeeQuerySet.as_manager()

    # The fields an edit compares, records in the history and reports to listeners.
    TRACKED_FIELDS = (
        "email", "employment_id", "given_name", "family_name", "phone", "street", "postal_code", "city", "country",
        "clearing_number", "account_number", "employment_start", "employment_end", "personal_identity_number",
        "job_title", "employment_form", "salary_form", "personnel_type", "tax_table", "tax_column", "schedule",
        "manager", "user", "active",
    )
    # Personal and pay details only HR admins see and edit (an employee sees their own, read-only):
    # left out of every page, export and admin form shown to anyone else.
    PAYROLL_PRIVATE_FIELDS = ("personal_identity_number", "salary_form", "tax_table", "tax_column")

    constraint_error_fields = {
        "duplicate_email": "email",
        "duplicate_employment_id": "employment_id",
        "duplicate_phone": "phone",
        "duplicate_personal_identity_number": "personal_identity_number",
        "duplicate_user": "user",
        "employment_end_before_start": "employment_end",
        "swedish_postal_code": "postal_code",
        "bank_account_incomplete": "account_number",
        "own_manager": "manager",
    }

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["family_name", "given_name", "pk"]
        indexes = [models.Index(fields=["organization", "family_name", "given_name"], name="hr_employee_name_idx")]
        constraints = [
            models.UniqueConstraint(
                "organization", Lower("email"), name="hr_employee_email_unique_ci",
                violation_error_code="duplicate_email",
                violation_error_message=_("Another employee already has this email address (upper and lower case count as the same)."),
            ),
            models.UniqueConstraint(
                fields=["organization", "employment_id"], name="hr_employee_employment_id_unique",
                violation_error_code="duplicate_employment_id",
                violation_error_message=_("Another employee already has this employment ID."),
            ),
            models.UniqueConstraint(
                fields=["organization", "phone"], condition=~Q(phone=""), name="hr_employee_phone_unique",
                violation_error_code="duplicate_phone",
                violation_error_message=_("Another employee already has this phone number."),
            ),
            models.UniqueConstraint(
                fields=["organization", "personal_identity_number"], condition=~Q(personal_identity_number=""),
                name="hr_employee_pin_unique", violation_error_code="duplicate_personal_identity_number",
                violation_error_message=_("Another employee already has this personal identity number."),
            ),
            models.UniqueConstraint(
                fields=["organization", "user"], name="hr_employee_user_unique", violation_error_code="duplicate_user",
                violation_error_message=_("This user account already belongs to another employee."),
            ),
            models.CheckConstraint(
                condition=Q(employment_end__isnull=True) | Q(employment_start__isnull=True)
                | Q(employment_end__gte=models.F("employment_start")),
                name="hr_employee_end_not_before_start", violation_error_code="employment_end_before_start",
                violation_error_message=_("The employment cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(country="SE") | Q(postal_code="") | Q(postal_code__regex=r"^[0-9]{5}$"),
                name="hr_employee_swedish_postal_code", violation_error_code="swedish_postal_code",
                violation_error_message=_("A Swedish postal code has five digits."),
            ),
            models.CheckConstraint(
                condition=Q(clearing_number="", account_number="") | (~Q(clearing_number="") & ~Q(account_number="")),
                name="hr_employee_bank_account_complete", violation_error_code="bank_account_incomplete",
                violation_error_message=_("A bank account needs both a clearing number and an account number."),
            ),
            models.CheckConstraint(
                condition=~Q(manager=models.F("pk")), name="hr_employee_not_own_manager",
                violation_error_code="own_manager", violation_error_message=_("An employee cannot be their own manager."),
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    def clean(self):
        errors = {}

        def normalise(field, normaliser):
            value = getattr(self, field).strip()
            try:
                setattr(self, field, normaliser(value) if value else "")
            except ValidationError as error:
                errors[field] = error

        self.email = self.email.strip()
        normalise("phone", validators.normalise_phone)
        normalise("country", validators.normalise_country)
        if self.country == "SE":
            normalise("postal_code", validators.normalise_swedish_postal_code)
        normalise("personal_identity_number", validators.normalise_personal_identity_number)
        self.job_title = self.job_title.strip()
        self.schedule = self.schedule.strip().upper()
        normalise("tax_table", validators.digits)
        self.clearing_number = validators.digits(self.clearing_number)
        self.account_number = validators.digits(self.account_number)
        if self.clearing_number and self.account_number:
            errors.update(validators.validate_bank_account(self.clearing_number, self.account_number))
        elif self.clearing_number or self.account_number:
            missing = "account_number" if self.clearing_number else "clearing_number"
            errors[missing] = ValidationError(
                _("A bank account needs both a clearing number and an account number; fill in both or neither."),
                code="bank_account_incomplete",
            )
        if self.manager_id is not None:
            errors.update(self._manager_errors())
        if errors:
            raise ValidationError(errors)

    def _manager_errors(self) -> dict:
        if self.manager.organization_id != self.organization_id:
            return {"manager": ValidationError(_("The manager must be an employee of the same organization."))}
        seen = {self.pk}
        boss = self.manager
        while boss is not None:
            if boss.pk in seen:
                return {"manager": ValidationError(
                    _("%(manager)s cannot be the manager: they report (directly or through others) to %(employee)s."),
                    params={"manager": self.manager, "employee": self}, code="manager_cycle",
                )}
            seen.add(boss.pk)
            boss = boss.manager
        return {}

    @property
    def postal_code_display(self) -> str:
        if self.country == "SE" and len(self.postal_code) == 5:
            return f"{self.postal_code[:3]} {self.postal_code[3:]}"
        return self.postal_code

    @property
    def phone_display(self) -> str:
        return validators.format_phone(self.phone)

    @property
    def bank_account_display(self) -> str:
        if not self.account_number:
            return ""
        return f"{self.clearing_number}-{self.account_number}"

    @property
    def bank_account_masked(self) -> str:
        """What everyone but HR admins sees: enough to recognise the account, not to use it."""
        if not self.account_number:
            return ""
        return "••••-" + "•" * (len(self.account_number) - 4) + self.account_number[-4:]

    @property
    def personal_identity_number_masked(self) -> str:
        """The last four digits: what the history and stored copies keep."""
        return validators.mask_personal_identity_number(self.personal_identity_number)

    def is_managed_by(self, user) -> bool:
        return self.manager_id is not None and self.manager.user_id == user.pk


class AbsenceTypeQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def ensure_defaults(self, organization):
        """Create the Swedish default types the organization lacks (by code); keeps edits."""
        existing = set(self.filter(organization=organization).values_list("code", flat=True))
        self.bulk_create([
            AbsenceType(organization=organization, code=code, name_sv=sv, name_en=en,
                        counts_as_work_days=work_days, needs_approval=approval, position=position)
            for position, (code, sv, en, work_days, approval) in enumerate(DEFAULT_ABSENCE_TYPES)
            if code not in existing
        ])


# code, Swedish name, English name, counts as work days, needs approval. Codes are stable:
# integrations recognise the types by them (e.g. to suggest a payroll system's cause code).
DEFAULT_ABSENCE_TYPES = [
    ("vacation", "Semester", "Vacation", True, True),
    ("sick_leave", "Sjukfrånvaro", "Sick leave", True, False),
    ("self_certification", "Egen sjukanmälan", "Self certification", True, False),
    ("care_of_child", "Vård av barn", "Care of child", True, False),
    ("parental_leave", "Föräldraledighet", "Parental leave", True, True),
    ("paternity_days", "Tillfällig föräldrapenning vid barns födelse", "Leave at childbirth", True, True),
    ("leave_of_absence", "Tjänstledighet", "Leave of absence", True, True),
    ("compensatory_leave", "Kompledighet", "Compensatory leave", True, True),
    ("care_of_relative", "Närståendevård", "Care of a close relative", True, False),
    ("work_injury", "Arbetsskada", "Work injury", True, False),
    ("military_service", "Militärtjänst", "Military service", True, True),
    ("union_training", "Facklig utbildning", "Union training", True, True),
    ("leave", "Permission", "Leave (personal reasons)", True, True),
    ("other", "Övrig frånvaro", "Other absence", True, True),
]


class AbsenceType(OrganizationOwned):
    code = models.SlugField(
        _("code"), max_length=40, help_text=_("Stable identifier (letters, digits, underscores) used by integrations."),
    )
    name_sv = models.CharField(_("name (Swedish)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    counts_as_work_days = models.BooleanField(
        _("counted as work days"), default=True,
        help_text=_("Its length is counted in work days (weekends and public holidays excluded), not calendar days."),
    )
    needs_approval = models.BooleanField(_("needs approval"), default=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = AbsenceTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("absence type")
        verbose_name_plural = _("absence types")
        ordering = ["position", "name_en"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="hr_absencetype_code_unique")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_sv if (translation.get_language() or "").startswith("sv") else self.name_en


class AbsenceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class AbsenceQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def standing(self):
        """Absences that hold their days (rejected and cancelled ones free them)."""
        return self.exclude(status__in=[AbsenceStatus.REJECTED, AbsenceStatus.CANCELLED])

    def overlapping(self, start: date, end: date | None):
        query = Q(end_date__isnull=True) | Q(end_date__gte=start)
        if end is not None:
            query &= Q(start_date__lte=end)
        return self.filter(query)

    def with_related(self):
        return self.select_related("employee", "absence_type", "decided_by")


class Absence(ConstraintErrorsByField, OrganizationOwned):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="absences", verbose_name=_("employee"))
    absence_type = models.ForeignKey(AbsenceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type"))
    start_date = models.DateField(_("first day"), validators=[validators.validate_sane_date])
    end_date = models.DateField(_("last day"), null=True, blank=True, help_text=_("Empty while the end is not known."),
                                validators=[validators.validate_sane_date])
    grade = models.PositiveSmallIntegerField(
        _("extent (%)"), default=100, validators=[MinValueValidator(1), MaxValueValidator(100)], help_text=_("Share of a full working day, 1–100 percent."),
    )
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=2, null=True, blank=True,
        validators=[validators.validate_part_day_hours],
        help_text=_("For part of one day: how many hours, in quarter hours (e.g. 2 or 1.5). Empty for whole days."),
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AbsenceStatus.choices, default=AbsenceStatus.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    objects = AbsenceQuerySet.as_manager()

    TRACKED_FIELDS = ("absence_type", "start_date", "end_date", "grade", "hours", "note", "status", "decided_by", "decided_at")

    constraint_error_fields = {"end_before_start": "end_date", "grade_range": "grade", "part_day": "hours"}

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["employee", "start_date"], name="hr_absence_employee_idx"),
            models.Index(fields=["organization", "status"], name="hr_absence_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="hr_absence_end_not_before_start", violation_error_code="end_before_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=100), name="hr_absence_grade_range",
                violation_error_code="grade_range",
                violation_error_message=_("The extent is a percentage from 1 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0, hours__lte=24, end_date=models.F("start_date"), grade=100),
                name="hr_absence_part_day_one_day", violation_error_code="part_day",
                violation_error_message=_("An absence in hours is part of one day: from 0.25 to 24 hours, with the same first and last day."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=AbsenceStatus.values), name="hr_absence_status_valid",
                violation_error_message=_("Unknown absence status."),
            ),
        ]

    def __str__(self):
        return gettext("%(type)s for %(employee)s from %(start)s") % {
            "type": self.absence_type, "employee": self.employee, "start": self.start_date,
        }

    def clean(self):
        errors = {}
        if self.employee_id and self.employee.organization_id != self.organization_id:
            errors["employee"] = ValidationError(_("The employee belongs to another organization."))
        if self.too_long:
            errors["end_date"] = ValidationError(
                _("An absence can be at most two years long, so its last day can be %(last)s at the latest. "
                  "Register a longer one as two or more absences, one after the other."),
                params={"last": formats.date_format(self.latest_end, "SHORT_DATE_FORMAT")}, code="too_long",
            )
        if self.absence_type_id and self.absence_type.organization_id != self.organization_id:
            errors["absence_type"] = ValidationError(_("The absence type belongs to another organization."))
        if self.hours is not None:
            errors.update(self._part_day_shape_errors())
        if self.employee_id and self.start_date and not errors and self.holds_days:
            others = list(self.overlapping_absences().select_related("absence_type")[:20])
            # Absences in hours may share their day; the day's scheduled hours limit them together.
            clash = next((other for other in others if self.hours is None or other.hours is None), None)
            if clash is None and self.hours is not None and self._part_day_needs_checking():
                errors.update(self._scheduled_hours_errors(others))
            if clash is not None:
                errors[NON_FIELD_ERRORS] = ValidationError(
                    _("%(employee)s already has an absence in this period: %(other)s, %(period)s (%(status)s)."),
                    params={"employee": self.employee, "other": clash.absence_type, "period": clash.period_display,
                            "status": clash.get_status_display()},
                    code="overlap",
                )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_part_day = instance._part_day_key()
        return instance

    def _part_day_key(self):
        return (self.employee_id, self.start_date, self.hours, self.status in (AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED))

    def _part_day_needs_checking(self) -> bool:
        """The day's schedule is read when hours are set or moved (or a freed absence holds its
        day again), not when an absence is decided or its note changes: a schedule changed since
        must not keep anyone from approving, rejecting or cancelling it. Hours the field refuses
        (0, 25) are not compared with the schedule: the field's message says what is wrong."""
        try:
            validators.validate_part_day_hours(Decimal(self.hours))
        except (ValidationError, ArithmeticError, TypeError, ValueError):
            return False
        return getattr(self, "_stored_part_day", None) != self._part_day_key()

    def _part_day_shape_errors(self) -> dict:
        """An absence in hours is one day; its extent is the hours (the percentage stays 100)."""
        if self.start_date and self.end_date is None:
            self.end_date = self.start_date
        self.grade = 100
        if self.start_date and self.end_date and self.end_date != self.start_date:
            return {"end_date": ValidationError(
                _("An absence in hours is part of one day, so its last day is its first day (%(first)s). "
                  "For more than one day, choose whole days; or register one absence in hours per day."),
                params={"first": formats.date_format(self.start_date, "SHORT_DATE_FORMAT")}, code="part_day_one_day",
            )}
        return {}

    def read_scheduled_day(self) -> None:
        """Reads the day's scheduled hours now, for `clean` to use: the actions call it before they
        lock the employee, so no HTTP call to a payroll system is made inside that transaction."""
        self._scheduled_day = (self.employee_id, self.start_date, working_time.scheduled_day(self.employee, self.start_date))

    def _scheduled_hours_errors(self, others) -> dict:
        read = getattr(self, "_scheduled_day", None)
        if read is None or read[:2] != (self.employee_id, self.start_date):
            self.read_scheduled_day()
        day = self._scheduled_day[2]
        shown = {"name": self.employee, "day": formats.date_format(self.start_date, "DATE_FORMAT"),
                 "source": day.source, "hours": validators.format_hours(self.hours)}
        if day.hours <= 0:
            return {"hours": ValidationError(
                _("%(name)s has no working time on %(day)s (0 hours in %(source)s), so there are no hours to be absent from. "
                  "Choose a day with working time."), params=shown, code="no_scheduled_hours",
            )}
        taken = sum((other.hours for other in others), Decimal(0))
        if self.hours + taken > day.hours:
            shown.update(limit=validators.format_hours(day.hours), left=validators.format_hours(max(day.hours - taken, 0)),
                         taken=validators.format_hours(taken))
            if taken:
                message = _("%(name)s works %(limit)s hours on %(day)s (%(source)s) and already has %(taken)s hours of "
                            "absence that day, so at most %(left)s more hours can be registered, not %(hours)s.")
            else:
                message = _("%(name)s works %(limit)s hours on %(day)s (%(source)s), so an absence of part of that day "
                            "can be at most %(limit)s hours, not %(hours)s. For the whole day, choose whole days.")
            return {"hours": ValidationError(message, params=shown, code="more_than_scheduled")}
        return {}

    @property
    def latest_end(self) -> date:
        """The last day an absence from `start_date` may have: two years on, less a day. Longer ones
        are split (payroll handles them per period, and a transfer of thousands of days would keep
        one absence pending for hours)."""
        start = self.start_date
        try:
            return start.replace(year=start.year + 2) - timedelta(days=1)
        except ValueError:  # 29 February, or a start too near the end of `date` for two more years
            return date.max if start.year + 2 > date.max.year else start.replace(year=start.year + 2, day=28)

    @property
    def too_long(self) -> bool:
        return bool(self.start_date and self.end_date) and self.end_date > self.latest_end

    @property
    def holds_days(self) -> bool:
        return self.status in (AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED)

    def overlapping_absences(self):
        if self.end_date is not None and self.end_date < self.start_date:
            return Absence.objects.none()  # the constraint reports that; an overlap message would mislead
        return (
            Absence.objects.filter(employee_id=self.employee_id).standing()
            .overlapping(self.start_date, self.end_date).exclude(pk=self.pk)
        )

    @property
    def period_display(self) -> str:
        """The dates, and the hours of an absence in hours ("2026-03-02, 2 h")."""
        if self.hours is not None:
            return f"{self.dates_display}, {self.hours_display}"
        return self.dates_display

    @property
    def hours_display(self) -> str:
        return gettext("%(hours)s h") % {"hours": validators.format_hours(self.hours)} if self.hours is not None else ""

    @property
    def dates_display(self) -> str:
        start = formats.date_format(self.start_date, "SHORT_DATE_FORMAT")
        if self.end_date is None:
            return gettext("from %(start)s, open-ended") % {"start": start}
        if self.end_date == self.start_date:
            return start
        return f"{start} – {formats.date_format(self.end_date, 'SHORT_DATE_FORMAT')}"

    @property
    def has_sane_dates(self) -> bool:
        """Within the dates Brygga accepts: forms refuse others, but older records may hold them."""
        return validators.is_sane_date(self.start_date) and validators.is_sane_date(self.end_date)

    @property
    def days(self) -> int | None:
        """Length in work days (or calendar days for types not counted in work days); None while
        open-ended, and for dates outside the accepted range (nothing sensible to count)."""
        if self.end_date is None or not self.has_sane_dates:
            return None
        if self.absence_type.counts_as_work_days:
            return calendar.work_days_between(self.start_date, self.end_date)
        return (self.end_date - self.start_date).days + 1

    def can_be_decided_by(self, user, membership=None) -> bool:
        """HR admins and organization admins decide any absence; a manager only their direct reports'."""
        if user_can(user, self.organization, Perm.MANAGE_HR, membership):
            return True
        return user_can(user, self.organization, Perm.APPROVE_ABSENCES, membership) and self.employee.is_managed_by(user)


class ChangeRecord(OrganizationOwned):
    """One changed field of an employee or an absence: who, when, from what to what. Subject and
    values are stored texts, read in the reader's language; rows written before hold `str()` of
    the value (raw keys, ISO timestamps, English type names) and are read through `shown`."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        CHANGED = "changed", _("changed")
        DELETED = "deleted", _("deleted")

    class Kind(models.TextChoices):
        EMPLOYEE = "employee", _("employee")
        ABSENCE = "absence", _("absence")

    kind = models.CharField(_("record"), max_length=10, choices=Kind.choices)
    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="change_records", verbose_name=_("employee"),
    )
    # Absence history outlives a deleted absence (the record then keeps its description).
    absence = models.ForeignKey(
        Absence, on_delete=models.SET_NULL, null=True, blank=True, related_name="change_records",
        verbose_name=_("absence"),
    )
    subject = StoredCharField(_("subject"), max_length=200)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    field_name = models.CharField(_("field"), max_length=50, blank=True)
    old_value = StoredTextField(_("old value"), blank=True)
    new_value = StoredTextField(_("new value"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("changed by"),
    )
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.USER)
    # The system an external change came from, as people call it ("Fortnox"); blank for the others.
    source = models.CharField(_("source"), max_length=40, blank=True)
    changed_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("change record")
        verbose_name_plural = _("change records")
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["employee", "-changed_at"], name="hr_change_employee_idx")]

    def __str__(self):
        return f"{self.subject}: {self.get_action_display()} {self.field_name}".strip()

    @property
    def model(self):
        return Employee if self.kind == self.Kind.EMPLOYEE else Absence

    @property
    def field_label(self) -> str:
        if not self.field_name:
            return ""
        return self.model._meta.get_field(self.field_name).verbose_name

    @staticmethod
    def words_for(model, field: str, value) -> str:
        """A field's value as people read it, in the active language: choices by their label,
        yes/no, dates and times in the organization's time zone and the reader's format."""
        if value is None or value == "":
            return ""
        model_field = model._meta.get_field(field)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            return formats.date_format(local, "SHORT_DATETIME_FORMAT")
        if isinstance(value, date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if isinstance(value, Decimal):
            return validators.format_hours(value)
        return str(value)

    @property
    def old_shown(self) -> str:
        return self._shown(self.old_value)

    @property
    def new_shown(self) -> str:
        return self._shown(self.new_value)

    @property
    def subject_shown(self) -> str:
        if not self.subject.is_verbatim or self.kind != self.Kind.ABSENCE:
            return str(self.subject)
        type_name, sep, period = str(self.subject).partition(", ")
        return f"{_type_name_in_reader_language(type_name)}{sep}{period}"

    def _shown(self, stored: StoredText) -> str:
        if not stored.is_verbatim or not self.field_name:
            return str(stored)
        raw = str(stored)  # a row from before stored texts: `str()` of the value
        model_field = self.model._meta.get_field(self.field_name)
        if self.field_name == "absence_type":
            return _type_name_in_reader_language(raw)
        if isinstance(model_field, models.BooleanField) and raw in ("True", "False"):
            value = raw == "True"
        elif isinstance(model_field, models.DateTimeField):
            value = parse_datetime(raw) or raw
        elif isinstance(model_field, models.DateField):
            value = parse_date(raw) or raw
        else:
            value = raw
        return self.words_for(self.model, self.field_name, value)


def _type_name_in_reader_language(name: str) -> str:
    """A default absence type named as history rows from before stored texts noted it (English)."""
    for _code, sv, en, *_rest in DEFAULT_ABSENCE_TYPES:
        if name in (sv, en):
            return sv if (translation.get_language() or "").startswith("sv") else en
    return name
