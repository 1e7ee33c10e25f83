"""The employee fields Brygga and Fortnox keep in step, each with its rule.

Every field has one normalised form (a string, or a list of strings for the address and the bank
account, "" when empty) that both sides are compared in: "070-123 45 67" in Fortnox and
"+46701234567" in Brygga are the same phone, "Sverige" and "SE" the same country. A Fortnox value
Brygga cannot hold (an invalid phone, a bank account failing its check digit) raises
`ValidationError` with the reason, which the planner reports as a problem blocking that person.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import NumberParseException

from hr import validators
from organizations.stored_text import StoredText

# Fortnox writes countries as names (its own example: "Sverige"); Brygga stores ISO codes.
COUNTRY_NAMES = {
    "SE": "Sverige", "NO": "Norge", "DK": "Danmark", "FI": "Finland", "IS": "Island", "DE": "Tyskland",
    "GB": "Storbritannien", "US": "USA", "PL": "Polen", "EE": "Estland",
}
COUNTRY_CODES = {name.lower(): code for code, name in COUNTRY_NAMES.items()} | {
    "sweden": "SE", "norway": "NO", "denmark": "DK", "iceland": "IS", "germany": "DE", "united kingdom": "GB",
    "poland": "PL", "estonia": "EE",
}


# What Fortnox needs to empty a text field (an empty string would leave the old value).
API_BLANK = "API_BLANK"


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _date_text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    text = _text(value)
    if text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(_("“%(value)s” is not a date."), params={"value": text}) from None
    return text


def _country_code(value: str) -> str:
    text = _text(value)
    if not text:
        return ""
    return COUNTRY_CODES.get(text.lower()) or validators.normalise_country(text)


@dataclass(frozen=True)
class SyncedField:
    name: str
    label: str
    fortnox_fields: tuple[str, ...]
    rule: str

    # Brygga → normalised
    def from_employee(self, employee):
        return _text(getattr(employee, self.name))

    # Fortnox → normalised (raises ValidationError for a value Brygga cannot hold)
    def from_fortnox(self, document: dict):
        return _text(document.get(self.fortnox_fields[0]))

    # normalised → the values to write on each side
    def to_employee(self, value) -> dict:
        return {self.name: value}

    def to_fortnox(self, value) -> dict:
        return {self.fortnox_fields[0]: value}

    def shown(self, value) -> str:
        return value if isinstance(value, str) else ", ".join(part for part in value if part)


class EmailField(SyncedField):
    def from_employee(self, employee):
        return _text(employee.email).lower()

    def from_fortnox(self, document):
        return _text(document.get("Email")).lower()


class PhoneField(SyncedField):
    def from_employee(self, employee):
        return employee.phone

    def from_fortnox(self, document):
        text = _text(document.get("Phone1"))
        return validators.normalise_phone(text) if text else ""

    def shown(self, value) -> str:
        """As the employee's page shows it (+46 70 999 88 77), so the two are recognisably one."""
        try:
            return validators.format_phone(value)
        except NumberParseException:  # not a number Brygga would keep: shown as it came
            return value


class DateField(SyncedField):
    def from_employee(self, employee):
        return _date_text(getattr(employee, self.name))

    def from_fortnox(self, document):
        return _date_text(document.get(self.fortnox_fields[0]))

    def to_employee(self, value):
        return {self.name: date.fromisoformat(value) if value else None}


class AddressField(SyncedField):
    """Street, postal code, city, country; empty when street, postal code and city are (Brygga
    always has a country, "SE" by default)."""

    def from_employee(self, employee):
        if not (employee.street or employee.postal_code or employee.city):
            return ""
        return [employee.street, employee.postal_code, employee.city, employee.country]

    def from_fortnox(self, document):
        street, postal_code, city = (_text(document.get(name)) for name in ("Address1", "PostCode", "City"))
        if not (street or postal_code or city):
            return ""
        country = _country_code(document.get("Country")) or "SE"
        if country == "SE" and postal_code:
            postal_code = validators.normalise_swedish_postal_code(postal_code)
        return [street, postal_code, city, country]

    def to_employee(self, value):
        street, postal_code, city, country = value or ("", "", "", "SE")
        return {"street": street, "postal_code": postal_code, "city": city, "country": country}

    def to_fortnox(self, value):
        street, postal_code, city, country = value or ("", "", "", "")
        return {"Address1": street, "PostCode": postal_code, "City": city, "Country": COUNTRY_NAMES.get(country, country)}


class BankAccountField(SyncedField):
    def from_employee(self, employee):
        return [employee.clearing_number, employee.account_number] if employee.account_number else ""

    def from_fortnox(self, document):
        clearing, account = validators.digits(_text(document.get("ClearingNo"))), validators.digits(_text(document.get("BankAccountNo")))
        if not (clearing or account):
            return ""
        if not (clearing and account):
            raise ValidationError(_("A bank account needs both a clearing number and an account number."))
        errors = validators.validate_bank_account(clearing, account)
        if errors:
            raise next(iter(errors.values()))
        return [clearing, account]

    def to_employee(self, value):
        clearing, account = value or ("", "")
        return {"clearing_number": clearing, "account_number": account}

    def to_fortnox(self, value):
        clearing, account = value or ("", "")
        return {"ClearingNo": clearing, "BankAccountNo": account}

    def shown(self, value):
        return "-".join(value) if value else ""


class PersonalIdentityNumberField(SyncedField):
    """YYYYMMDD-NNNN on both sides; a Fortnox value that is no valid personnummer or
    samordningsnummer cannot come into Brygga."""

    def from_fortnox(self, document):
        text = _text(document.get("PersonalIdentityNumber"))
        return validators.normalise_personal_identity_number(text) if text else ""


class TextField(SyncedField):
    """Free text with Brygga's length limit (Fortnox's too)."""

    max_length = 0

    def from_fortnox(self, document):
        text = _text(document.get(self.fortnox_fields[0]))
        if self.max_length and len(text) > self.max_length:
            raise ValidationError(
                _("“%(value)s” is longer than %(max)s characters."), params={"value": text, "max": self.max_length},
            )
        return text


class JobTitleField(TextField):
    max_length = 30


@dataclass(frozen=True)
class CodeField(SyncedField):
    """One of Brygga's choices, written in Fortnox as its code (`codes`: Brygga's value →
    Fortnox's). Compared in Brygga's values; a Fortnox code Brygga has no choice for is refused."""

    codes: tuple[tuple[str, str], ...] = ()

    def from_fortnox(self, document):
        code = _text(document.get(self.fortnox_fields[0])).upper()
        if not code:
            return ""
        for value, known in self.codes:
            if known == code:
                return value
        raise ValidationError(_("Fortnox's code “%(code)s” is not one Brygga knows."), params={"code": code})

    def to_fortnox(self, value):
        return {self.fortnox_fields[0]: dict(self.codes).get(value, "") if value else ""}

    def shown(self, value):
        from hr.models import Employee

        return str(dict(Employee._meta.get_field(self.name).flatchoices).get(value, value)) if value else ""


class TaxTableField(SyncedField):
    def from_fortnox(self, document):
        text = validators.digits(_text(document.get("TaxTable")))
        if text:
            validators.validate_tax_table(text)
        return text


class TaxColumnField(SyncedField):
    """A number 1–6, compared as text. Fortnox types it as an integer, which `API_BLANK` cannot
    empty: a column cleared in Brygga is left as it is in Fortnox."""

    def from_employee(self, employee):
        return "" if employee.tax_column is None else str(employee.tax_column)

    def from_fortnox(self, document):
        value = document.get("TaxColumn")
        if value in (None, "", 0, "0"):
            return ""
        text = _text(value)
        if not (text.isdigit() and 1 <= int(text) <= 6):
            raise ValidationError(_("“%(value)s” is not a tax column (1–6)."), params={"value": text})
        return str(int(text))

    def to_employee(self, value):
        return {"tax_column": int(value) if value else None}

    def to_fortnox(self, value):
        return {"TaxColumn": int(value)} if value else {}


# The schedule Fortnox gives an employee created without one (0 hours every day; the sandbox's
# code, API-FACTS §3 names none): it means "no schedule set", as an empty schedule in Brygga does.
ZERO_HOUR_SCHEDULES = frozenset({"NOLL"})


class ScheduleField(SyncedField):
    """The schedule's code as Fortnox has it (Fortnox lists no schedules: the codes the company
    uses are read from its employees, see `schedules.FortnoxScheduleList`). Fortnox's 0-hour
    default and Brygga's empty schedule are the same value, so a person created without one is
    no change to copy back; emptying it in Brygga sends `API_BLANK`, which gives the default."""

    def from_fortnox(self, document):
        code = _text(document.get("ScheduleId")).upper()
        return "" if code in ZERO_HOUR_SCHEDULES else code


EMAIL = EmailField("email", _("Email"), ("Email",), _(
    "Required. Must be unique; used to match people the first time you synchronise (upper and lower case count as the same)."
))
EMPLOYMENT_ID = SyncedField("employment_id", _("Employment ID"), ("EmployeeId",), _(
    "Must be unique. Copied only from Fortnox to Brygga, when you synchronise users. People created in Fortnox "
    "get their Brygga employment ID."
))
FIELDS: tuple[SyncedField, ...] = (
    EMAIL,
    EMPLOYMENT_ID,
    SyncedField("given_name", _("Given name"), ("FirstName",), _("Required in Fortnox.")),
    SyncedField("family_name", _("Family name"), ("LastName",), _("Required in Fortnox.")),
    PhoneField("phone", _("Phone"), ("Phone1",), _("Must be unique; read as a Swedish number without a country code.")),
    AddressField("address", _("Address"), ("Address1", "PostCode", "City", "Country"), _(
        "Street, postal code (five digits in Sweden), city and country."
    )),
    BankAccountField("bank_account", _("Bank account"), ("ClearingNo", "BankAccountNo"), _(
        "Clearing number and account number; must be a valid Swedish bank account."
    )),
    DateField("employment_start", _("Employment start"), ("EmploymentDate",), _("A date.")),
    DateField("employment_end", _("Employment end"), ("EmployedTo",), _("A date, not before the start.")),
    # What payroll needs (issue 21): a hire created from Brygga arrives complete.
    PersonalIdentityNumberField("personal_identity_number", _("Personal identity number"), ("PersonalIdentityNumber",), _(
        "A valid Swedish personnummer or samordningsnummer (check digit), YYYYMMDD-NNNN. Must be unique; also "
        "matches people the first time you synchronise when their email addresses differ."
    )),
    JobTitleField("job_title", _("Job title"), ("JobTitle",), _(
        "Up to 30 characters."
    )),
    CodeField("employment_form", _("Employment form"), ("EmploymentForm",), _("One of Fortnox's employment forms."), codes=(
        ("permanent", "TV"), ("probation", "PRO"), ("fixed_term", "TID"), ("special_fixed_term", "SVT"),
        ("substitute", "VIK"), ("project", "PRJ"), ("internship", "PRA"), ("holiday_job", "FER"), ("seasonal", "SES"),
        ("not_employed", "NEJ"),
    )),
    CodeField("salary_form", _("Salary form"), ("SalaryForm",), _("Monthly salary (MAN) or hourly pay (TIM)."), codes=(
        ("monthly", "MAN"), ("hourly", "TIM"),
    )),
    CodeField("personnel_type", _("Personnel type"), ("PersonelType",), _("Salaried (TJM) or worker (ARB)."), codes=(
        ("salaried", "TJM"), ("worker", "ARB"),
    )),
    TaxTableField("tax_table", _("Tax table"), ("TaxTable",), _("Skatteverket's table number, 29–42.")),
    TaxColumnField("tax_column", _("Tax column"), ("TaxColumn",), _(
        "1–6. Clearing it in Brygga leaves Fortnox's column as it is (Fortnox cannot empty a number)."
    )),
    ScheduleField("schedule", _("Working-time schedule"), ("ScheduleId",), _(
        "One of the Fortnox company's schedule codes; Fortnox refuses a code it does not have."
    )),
)
BY_NAME = {field.name: field for field in FIELDS}
# Pushed to Fortnox when changed in Brygga (the employment ID never is: Fortnox cannot change it).
PUSHED = tuple(field for field in FIELDS if field is not EMPLOYMENT_ID)

# Which Brygga model fields make up each synced field, to tell from a change signal what to push.
EMPLOYEE_FIELDS = {
    "address": ("street", "postal_code", "city", "country"),
    "bank_account": ("clearing_number", "account_number"),
}


def synced_fields_changed(changed_model_fields) -> list[str]:
    changed = set(changed_model_fields)
    return [field.name for field in PUSHED if changed & set(EMPLOYEE_FIELDS.get(field.name, (field.name,)))]


def employee_values(employee) -> dict:
    return {field.name: field.from_employee(employee) for field in FIELDS}


def fortnox_values(document: dict) -> tuple[dict, dict]:
    """The normalised values of a Fortnox employee and, by field, why a value cannot be read."""
    values, problems = {}, {}
    for field in FIELDS:
        try:
            values[field.name] = field.from_fortnox(document)
        except ValidationError:
            # Brygga's validators translate as they raise: read the refusal again in each language,
            # so that the plan shows it in the language of whoever reads it.
            problems[field.name] = StoredText.each_language(_refusal, field, document)
    return values, problems


def _refusal(field, document) -> str:
    try:
        field.from_fortnox(document)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def fortnox_document(values: dict, *, creating: bool = False) -> dict:
    """Fortnox's fields for the given normalised values. Fortnox reads `""` (and `null`) in a
    write as "leave it as it is"; only `API_BLANK` empties a text field (API-FACTS §2.6). So a
    value cleared in Brygga is sent as `API_BLANK` on an update, and left out on a create."""
    document = {}
    for name, value in values.items():
        document.update(BY_NAME[name].to_fortnox(value))
    if creating:
        return {key: value for key, value in document.items() if value != ""}
    return {key: API_BLANK if value == "" else value for key, value in document.items()}


def employee_changes(values: dict) -> dict:
    changes = {}
    for name, value in values.items():
        changes.update(BY_NAME[name].to_employee(value))
    return changes


# Fortnox's absence cause codes (its spec's enum) with their Swedish names, as Fortnox shows them.
CAUSE_CODES = (
    ("ASK", "Arbetsskada"), ("FPE", "Föräldraledig"), ("FRA", "Frånvaro övrigt"), ("HAV", "Graviditetspenning"),
    ("KOM", "Kompledig"), ("MIL", "Militärtjänst (max 60 dagar)"), ("NAR", "Närståendevård"),
    ("OS1", "Sjuk-OB 1"), ("OS2", "Sjuk-OB 2"), ("OS3", "Sjuk-OB 3"), ("OS4", "Sjuk-OB 4"), ("OS5", "Sjuk-OB 5"),
    ("PAP", "Pappadagar"), ("PEM", "Permission"), ("PER", "Permitterad"), ("SEM", "Semester"),
    ("SJK", "Sjukfrånvaro"), ("SMB", "Smittbärare"), ("SVE", "Svenska för invandrare"), ("TJL", "Tjänstledig"),
    ("UTB", "Facklig utbildning"), ("VAB", "Vård av barn"),
)
# The cause code recommended for each of Brygga's default absence types (by their stable code).
# Fortnox has one code for sickness, so sick leave and self certification both become SJK.
RECOMMENDED_CAUSE_CODES = {
    "vacation": "SEM", "sick_leave": "SJK", "self_certification": "SJK", "care_of_child": "VAB",
    "parental_leave": "FPE", "paternity_days": "PAP", "leave_of_absence": "TJL", "compensatory_leave": "KOM",
    "care_of_relative": "NAR", "work_injury": "ASK", "military_service": "MIL", "union_training": "UTB",
    "leave": "PEM", "other": "FRA",
}
