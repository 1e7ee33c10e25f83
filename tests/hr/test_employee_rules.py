"""Every rule of an employee record, with the message the person meets, on the form and in the
database."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from hr.forms import EmployeeForm
from hr.models import Employee
from tests.support.hr import employee_values


def form_for(tenant, instance=None, **overrides):
    data = {k: ("" if v is None else v) for k, v in employee_values(**overrides).items()}
    data["active"] = "on"
    return EmployeeForm(data, instance=instance or Employee(organization=tenant.organization))


def test_a_valid_employee_is_stored_in_normalised_form(tenant):
    form = form_for(tenant, phone="070-123 45 67", postal_code="123 45", clearing_number="5000",
                    account_number="499 962-2", personal_identity_number="121212+1212", country="se")
    assert form.is_valid(), form.errors
    employee = form.save()
    assert (employee.phone, employee.postal_code, employee.account_number, employee.country) == (
        "+46701234567", "12345", "4999622", "SE")
    assert employee.personal_identity_number == "19121212-1212"
    assert employee.postal_code_display == "123 45"
    assert employee.phone_display == "+46 70 123 45 67"


@pytest.mark.parametrize("field, value, message", [
    ("email", "", "This field is required."),
    ("email", "not-an-email", "Enter a valid email address."),
    ("given_name", "", "This field is required."),
    ("employment_id", "", "This field is required."),
    ("employment_id", "X" * 16, "Ensure this value has at most 15 characters"),
    ("phone", "12", "“12” is not a valid phone number"),
    ("phone", "hello", "“hello” is not a phone number."),
    ("postal_code", "1234", "A Swedish postal code has five digits, e.g. 123 45; “1234” does not."),
    ("postal_code", "12a45", "A Swedish postal code has five digits"),
    ("country", "XX", "“XX” is not a country code"),
    ("country", "Sverige", "Ensure this value has at most 2 characters"),
    ("personal_identity_number", "121212-1213", "is not a valid Swedish personal identity number"),
])
def test_an_invalid_value_is_refused_with_a_message_on_its_field(tenant, field, value, message):
    form = form_for(tenant, **{field: value})
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


def test_a_foreign_postal_code_is_kept_as_given(tenant):
    form = form_for(tenant, country="NO", postal_code="0150")
    assert form.is_valid(), form.errors
    assert form.save().postal_code == "0150"


@pytest.mark.parametrize("clearing, account, field, message", [
    ("5000", "1234567", "account_number", "Account number 1234567 fails SEB's check digit"),
    ("5000", "12345", "account_number", "An account number at SEB has 7 digits (after the clearing number); this one has 5."),
    ("0999", "1234567", "clearing_number", "Clearing number 0999 does not belong to a Swedish bank"),
    ("8327", "1234567", "clearing_number", "does not belong to a Swedish bank (four digits; five for Swedbank"),
    ("5000", "", "account_number", "A bank account needs both a clearing number and an account number"),
    ("", "4999622", "clearing_number", "A bank account needs both a clearing number and an account number"),
])
def test_an_invalid_bank_account_is_refused_naming_the_part_and_the_reason(tenant, clearing, account, field, message):
    form = form_for(tenant, clearing_number=clearing, account_number=account)
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


@pytest.mark.parametrize("clearing, account", [("5000", "4999622"), ("6000", "812865707"), ("83279", "2786838738")])
def test_valid_accounts_of_several_banks_are_accepted(tenant, clearing, account):
    assert form_for(tenant, clearing_number=clearing, account_number=account).is_valid()


def test_an_employment_ending_before_it_starts_is_refused_on_the_end_date(tenant):
    form = form_for(tenant, employment_start=date(2024, 5, 1), employment_end=date(2024, 4, 30))
    assert not form.is_valid()
    assert form.errors["employment_end"] == ["The employment cannot end before it starts."]


def test_an_employment_may_end_on_its_first_day(tenant):
    assert form_for(tenant, employment_start=date(2024, 5, 1), employment_end=date(2024, 5, 1)).is_valid()


@pytest.mark.parametrize("field, taken, given, message", [
    ("email", "Anna@Alfa.test", "anna@ALFA.test", "Another employee already has this email address (upper and lower case count as the same)."),
    ("employment_id", "1001", "1001", "Another employee already has this employment ID."),
    ("phone", "+46701234567", "070-123 45 67", "Another employee already has this phone number."),
    ("personal_identity_number", "19121212-1212", "121212+1212", "Another employee already has this personal identity number."),
])
def test_a_value_another_employee_has_is_refused_on_its_field(tenant, make_employee, field, taken, given, message):
    make_employee(**{field: taken})
    form = form_for(tenant, **{field: given})
    assert not form.is_valid()
    assert form.errors[field] == [message]


def test_the_same_email_is_fine_in_another_organization(tenant, other_tenant, make_employee):
    make_employee(email="anna@alfa.test")
    make_employee(organization=other_tenant.organization, email="anna@alfa.test")
    assert Employee.objects.filter(email="anna@alfa.test").count() == 2


def test_an_employee_without_a_phone_does_not_block_others_without_one(make_employee):
    make_employee(phone="")
    make_employee(phone="")
    assert Employee.objects.filter(phone="").count() == 2


def test_a_user_account_belongs_to_one_employee_per_organization(tenant, make_employee):
    make_employee(user=tenant.employee)
    form = form_for(tenant, user=tenant.employee.pk)
    assert not form.is_valid()
    assert form.errors["user"] == ["This user account already belongs to another employee."]


def test_a_manager_cycle_is_refused(tenant, make_employee):
    boss = make_employee()
    middle = make_employee(manager=boss)
    form = form_for(tenant, instance=Employee.objects.get(pk=boss.pk), manager=middle.pk)
    assert not form.is_valid()
    assert "cannot be the manager: they report (directly or through others) to" in form.errors["manager"][0]


def test_the_manager_choices_are_the_organizations_other_employees(tenant, other_tenant, make_employee):
    me, colleague = make_employee(), make_employee()
    foreigner = make_employee(organization=other_tenant.organization)
    choices = set(form_for(tenant, instance=me).fields["manager"].queryset)
    assert colleague in choices and me not in choices and foreigner not in choices


@pytest.mark.parametrize("field, value, constraint", [
    ("email", "ANNA@alfa.test", "hr_employee_email_unique_ci"),
    ("employment_id", "1001", "hr_employee_employment_id_unique"),
    ("phone", "+46701234567", "hr_employee_phone_unique"),
])
def test_the_database_refuses_duplicates_that_bypass_validation(tenant, make_employee, field, value, constraint):
    make_employee(**{"email": "anna@alfa.test", "employment_id": "1001", "phone": "+46701234567"})
    values = employee_values(**{field: value})
    values.pop("user", None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(organization=tenant.organization, **values)


@pytest.mark.parametrize("overrides", [
    {"employment_start": date(2024, 5, 1), "employment_end": date(2024, 4, 1)},
    {"country": "SE", "postal_code": "1234"},
    {"clearing_number": "5000", "account_number": ""},
])
def test_the_database_refuses_invalid_records_that_bypass_validation(tenant, overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        Employee.objects.create(organization=tenant.organization, **employee_values(**overrides))


def test_the_bank_account_is_masked_to_its_last_four_digits(make_employee):
    employee = make_employee(clearing_number="5000", account_number="4999622")
    assert employee.bank_account_display == "5000-4999622"
    assert employee.bank_account_masked == "••••-•••9622"
