"""Swedish field rules, each raising a message that says which value is wrong and why.
Each `normalise_*` returns the stored form of a valid value."""

import re
from datetime import date
from decimal import Decimal

import phonenumbers
from bankkonto import account as bank_rules
from bankkonto.exceptions import BankkontoValidationError, SwedbankBankkontoValidationError
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.se import personnummer

DEFAULT_PHONE_REGION = "SE"
# Dates people may enter: a wider range is always a typing error (9999-12-31, 0001-01-01), and
# Fortnox, the work-day calendar and date arithmetic all misbehave near the ends of `date`.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def is_sane_date(value: date | None) -> bool:
    return value is None or EARLIEST_DATE <= value <= LATEST_DATE


def validate_sane_date(value: date) -> None:
    if not is_sane_date(value):
        raise ValidationError(
            _("%(value)s is outside the dates Brygga accepts: enter a date from %(earliest)s to %(latest)s."),
            params={"value": value.isoformat(), "earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
            code="date_out_of_range",
        )


def digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def normalise_phone(value: str) -> str:
    """E.164 (+46701234567); numbers without a country code are read as Swedish."""
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(_("“%(value)s” is not a phone number."), params={"value": value}, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number: check the number of digits and the area code."),
            params={"value": value}, code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    if not value:
        return ""
    return phonenumbers.format_number(phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_swedish_postal_code(value: str) -> str:
    code = digits(value)
    if len(code) != 5 or re.sub(r"[\s\d]", "", value):
        raise ValidationError(
            _("A Swedish postal code has five digits, e.g. 123 45; “%(value)s” does not."),
            params={"value": value}, code="invalid_postal_code",
        )
    return code


def normalise_country(value: str) -> str:
    code = (value or "").strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            _("“%(value)s” is not a country code; use the two-letter ISO code, e.g. SE."),
            params={"value": value}, code="invalid_country",
        )
    return code


def validate_bank_account(clearing_number: str, account_number: str) -> dict[str, ValidationError]:
    """Both given digit-only, per the Swedish banks' rules (Bankgirot's account number
    structure, via `bankkonto`). Returns errors by field name, empty when valid."""
    try:
        bank, _type, number_format, _note = bank_rules.get_account_number_format_based_on_clearing_number(
            clearing_number
        )
    except (BankkontoValidationError, ValueError, IndexError):
        return {"clearing_number": ValidationError(
            _("Clearing number %(value)s does not belong to a Swedish bank (four digits; five for Swedbank 8xxx-x)."),
            params={"value": clearing_number}, code="invalid_clearing_number",
        )}
    length = len(number_format.strip("0"))
    if len(account_number) != length:
        return {"account_number": ValidationError(
            _("An account number at %(bank)s has %(length)s digits (after the clearing number); this one has %(given)s."),
            params={"bank": bank, "length": length, "given": len(account_number)}, code="invalid_account_number",
        )}
    try:
        bank_rules.validate(clearing_number, account_number)
    except SwedbankBankkontoValidationError:
        # Bankgirot: a few old Swedbank accounts cannot be verified by their check digit; accept them.
        return {}
    except BankkontoValidationError:
        return {"account_number": ValidationError(
            _("Account number %(value)s fails %(bank)s's check digit: check for a typing error."),
            params={"value": account_number, "bank": bank}, code="invalid_account_number",
        )}
    return {}


def _identity_number_digits(value: str) -> str | None:
    """The 12 digits of a valid personnummer or samordningsnummer (python-stdnum checks the date
    and the check digit; it knows no samordningsnummer, whose day is the birth day + 60: its date
    is checked with the day less 60, its check digit over the digits as written). None if invalid."""
    try:
        number = personnummer.compact(value)
    except StdnumValidationError:
        return None
    day_at = 6 if len(number) == 13 else 4
    day = number[day_at:day_at + 2]
    coordination = day.isdigit() and 61 <= int(day) <= 91
    dated = f"{number[:day_at]}{int(day) - 60:02d}{number[day_at + 2:]}" if coordination else number
    try:
        personnummer.validate(dated) if not coordination else personnummer.get_birth_date(dated)
        if coordination and not luhn.is_valid(digits(number)[-10:]):
            return None
    except StdnumValidationError:
        return None
    full = digits(number)
    if len(full) == 10:
        full = str(personnummer.get_birth_date(dated).year)[:2] + full
    return full


def normalise_personal_identity_number(value: str) -> str:
    """Stored as YYYYMMDD-NNNN (the century is read from a 10-digit number as Skatteverket does);
    a samordningsnummer (day + 60) is accepted too."""
    full = _identity_number_digits(value)
    if full is None:
        raise ValidationError(
            _("“%(value)s” is not a valid Swedish personal identity number or coordination number (YYYYMMDD-NNNN, with a correct check digit)."),
            params={"value": value}, code="invalid_personal_identity_number",
        )
    return f"{full[:8]}-{full[8:]}"


def mask_personal_identity_number(value: str) -> str:
    """"19850101-1234" → "••••••••-1234": recognisable, not usable."""
    if not value:
        return ""
    shown = 0
    out = []
    for character in reversed(value):
        if character.isdigit():
            shown += 1
            out.append(character if shown <= 4 else "•")
        else:
            out.append(character)
    return "".join(reversed(out))


# Skatteverket's tax tables (since 2024): 29–42, one per municipal tax rate.
TAX_TABLES = range(29, 43)


def validate_tax_table(value: str) -> None:
    if not (value.isdigit() and int(value) in TAX_TABLES):
        raise ValidationError(
            _("“%(value)s” is not a tax table: Skatteverket's tables are numbered %(first)s–%(last)s."),
            params={"value": value, "first": TAX_TABLES[0], "last": TAX_TABLES[-1]}, code="invalid_tax_table",
        )


# An absence in hours is counted in quarter hours (payroll systems and Fortnox's schedules do).
HOURS_STEP = Decimal("0.25")
MAX_DAY_HOURS = Decimal("24")


def format_hours(value) -> str:
    """2 → "2", 1.5 → "1.5" (in the reader's number format: "1,5" in Swedish)."""
    value = Decimal(value).normalize()
    return formats.number_format(value, decimal_pos=max(0, -value.as_tuple().exponent))


def validate_part_day_hours(value: Decimal) -> None:
    """Positive, at most a day, in quarter hours; the day's scheduled hours are checked by the absence."""
    if value <= 0:
        raise ValidationError(
            _("Enter how many hours of the day you are away: more than 0, e.g. 2 or 1.5."), code="hours_not_positive",
        )
    if value > MAX_DAY_HOURS:
        raise ValidationError(
            _("A day has 24 hours: %(value)s hours cannot be part of one day. For more than one day, choose whole days."),
            params={"value": format_hours(value)}, code="hours_too_many",
        )
    if value % HOURS_STEP:
        lower = max(value - value % HOURS_STEP, HOURS_STEP)
        raise ValidationError(
            _("Hours are counted in quarter hours: enter %(lower)s or %(upper)s instead of %(value)s."),
            params={"value": format_hours(value), "lower": format_hours(lower), "upper": format_hours(lower + HOURS_STEP)},
            code="hours_not_quarter",
        )
