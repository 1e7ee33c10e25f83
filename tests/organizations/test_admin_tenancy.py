"""The Django admin is organization-tight for staff who are not superusers (issue 16).

The walk takes every admin registered in `admin.site` — a model registered later is walked
without a change here — and, as staff of organization A holding every model permission, proves
that nothing of organization B can be seen (changelist, list filters, change, history and delete
views), chosen (form choices, raw-id lookups, the autocomplete endpoint, the label a raw-id field
shows) or changed (a POST to B's change page, a POST of A's form with B's row in a relation).
Admins of models that belong to no organization are closed to staff altogether."""

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import IS_POPUP_VAR, TO_FIELD_VAR
from django.contrib.auth.models import Permission
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.forms.models import model_to_dict
from django.urls import reverse

from organizations.admin_tenancy import OrganizationScopedMixin, SuperuserOnlyMixin
from organizations.models import Membership
from tests.support.admin_world import World, submitted
from tests.support.tenants import make_tenant

MARKER = "zzbeta"  # in every text of organization B; no page of A may show it
ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
SCOPED = [(model, model_admin) for model, model_admin in ADMINS if isinstance(model_admin, OrganizationScopedMixin)]
GLOBAL = [(model, model_admin) for model, model_admin in ADMINS if not isinstance(model_admin, OrganizationScopedMixin)]


def label(item):
    return item[0]._meta.label


@pytest.fixture
def orgs(db):
    a = make_tenant("Alfa AB", "556036-0793", "alfa")
    b = make_tenant(f"{MARKER.title()} AB", "212000-0142", MARKER)
    a.owner.is_staff = True
    a.owner.save(update_fields=["is_staff"])
    a.owner.user_permissions.set(Permission.objects.all())
    return a, b


@pytest.fixture
def worlds(orgs):
    a, b = orgs
    return World(a.organization, a.employee, "alfa"), World(b.organization, b.employee, MARKER)


@pytest.fixture
def staff(orgs, client_for):
    return client_for(orgs[0].owner)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def assert_unseen(response):
    assert MARKER not in response.content.decode().lower()


def b_pks(worlds, orgs, model) -> set:
    a, b = orgs
    if model is Membership:
        return set(Membership.objects.filter(organization=b.organization).values_list("pk", flat=True))
    if model is type(b.owner):
        return {user.pk for user in (b.owner, b.hr_admin, b.manager, b.employee, b.warehouse)}
    return worlds[1].pks(model)


def choice_fields(response):
    """Every relation choice on the page: (form, field name, field) of the main form and inlines.
    An inline row's own hidden id is no choice: Django looks it up among the inline's rows only
    (an id of another organization's row makes a new, unsaved row)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.empty_form, *inline.formset.forms]
    return [(form, name, field) for form in forms for name, field in form.fields.items()
            if isinstance(field, ModelChoiceField | ModelMultipleChoiceField)
            and not (form is not forms[0] and name == form._meta.model._meta.pk.name)]


def test_every_admin_is_organization_scoped_or_for_superusers_only():
    for model, model_admin in ADMINS:
        assert isinstance(model_admin, OrganizationScopedMixin | SuperuserOnlyMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline, OrganizationScopedMixin), (model, inline)
    assert {model._meta.label for model, _ in GLOBAL} >= {
        "auth.Group", "account.EmailAddress", "mfa.Authenticator", "django_q.Schedule", "django_q.Success",
        "django_q.Failure", "django_q.OrmQ",
    }


@pytest.mark.parametrize("item", GLOBAL, ids=label)
def test_staff_cannot_reach_an_admin_of_rows_that_belong_to_no_organization(item, orgs, worlds, staff):
    model, _ = item
    row = worlds[1].row(model)
    assert staff.get(url(model, "changelist")).status_code == 403
    assert staff.get(url(model, "add")).status_code == 403
    assert staff.get(url(model, "change", row.pk)).status_code in (302, 403)
    assert model._meta.verbose_name_plural.title() not in staff.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("item", SCOPED, ids=label)
def test_staff_of_one_organization_see_choose_and_change_nothing_of_another(item, orgs, worlds, staff):
    model, model_admin = item
    a_row, b_row = worlds[0].row(model), worlds[1].row(model)
    hidden = b_pks(worlds, orgs, model)
    assert b_row.pk in hidden

    # Seen: the changelist (with its filters) lists A's row and nothing of B.
    changelist = staff.get(url(model, "changelist"))
    assert changelist.status_code == 200
    listed = {row.pk for row in changelist.context["cl"].result_list}
    assert a_row.pk in listed and not listed & hidden
    assert_unseen(changelist)
    for spec in changelist.context["cl"].filter_specs:
        for choice in getattr(spec, "lookup_choices", []):
            value = choice[0] if isinstance(choice, tuple) else choice
            related = getattr(spec, "field", None)
            if related is not None and related.is_relation:
                assert value not in b_pks(worlds, orgs, related.related_model), (spec.title, value)

    # Not seen nor changed: B's row behind every per-object page, and a POST to its change page.
    before = model_to_dict(type(b_row)._default_manager.get(pk=b_row.pk))
    for view in ("change", "history", "delete"):
        assert staff.get(url(model, view, b_row.pk)).status_code in (302, 403, 404), view
    posted = staff.post(url(model, "change", b_row.pk), {"_save": "Save"})
    assert posted.status_code in (302, 403, 404)
    assert model_to_dict(type(b_row)._default_manager.get(pk=b_row.pk)) == before

    # Chosen: no relation on the add and change pages offers a row of B.
    pages = [staff.get(url(model, "change", a_row.pk))]
    if model_admin.has_add_permission(pages[0].wsgi_request):
        pages.append(staff.get(url(model, "add")))
    for page in pages:
        assert page.status_code == 200
        assert_unseen(page)
        for _form, name, field in choice_fields(page):
            offered = set(field.queryset.values_list("pk", flat=True))
            assert not offered & b_pks(worlds, orgs, field.queryset.model), (name, field.queryset.model)

    # Chosen by id: the raw-id lookup popups and the autocomplete endpoint list nothing of B.
    for db_field in [f for f in model._meta.get_fields() if f.is_relation and f.concrete and f.related_model]:
        remote = db_field.related_model
        remote_admin = admin.site._registry.get(remote)
        if remote_admin is None:
            continue
        remote_hidden = b_pks(worlds, orgs, remote)
        to_field = db_field.remote_field.field_name if db_field.many_to_one or db_field.one_to_one else "id"
        popup = staff.get(url(remote, "changelist"), {TO_FIELD_VAR: to_field, IS_POPUP_VAR: 1})
        if popup.status_code == 200:
            assert not {row.pk for row in popup.context["cl"].result_list} & remote_hidden
            assert_unseen(popup)
        found = staff.get(reverse("admin:autocomplete"), {
            "app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": db_field.name,
            "term": "",
        })
        if found.status_code == 200:
            assert not {int(result["id"]) for result in found.json()["results"]} & remote_hidden, db_field.name
            assert_unseen(found)

    # Changed by id: A's own form posted with B's row in one relation at a time is refused.
    page = pages[0]
    if not model_admin.has_change_permission(page.wsgi_request, a_row):
        return
    form_id = f"{model._meta.model_name}_form"
    for form, name, field in choice_fields(page):
        if not form.is_bound and form.prefix and "__prefix__" in form.prefix:
            continue
        foreign = b_pks(worlds, orgs, field.queryset.model)
        if not foreign:
            continue
        data = submitted(page.content.decode(), form_id)
        data[form.add_prefix(name)] = [str(min(foreign))]
        refused = staff.post(url(model, "change", a_row.pk), data)
        assert refused.status_code == 200, (name, refused.status_code)
        errors = [refused.context["adminform"].form.errors] + [
            errors for inline in refused.context["inline_admin_formsets"] for errors in inline.formset.errors]
        assert any(name in each for each in errors), (name, errors)
        assert_unseen(refused)


# --- the three takeover chains the audit found, and the privileges behind them ------------------


def test_staff_cannot_bring_another_organizations_admin_into_theirs_by_typing_their_pk(orgs, staff):
    a, b = orgs
    response = staff.post(url(Membership, "add"), {"user": b.owner.pk, "organization": a.organization.pk, "role": "employee"})
    assert response.status_code == 200 and "user" in response.context["adminform"].form.errors
    assert not Membership.objects.filter(user=b.owner, organization=a.organization).exists()

    password_page = reverse("admin:auth_user_password_change", args=[b.owner.pk])
    staff.post(password_page, {"password1": "taken-over-2026", "password2": "taken-over-2026"})
    b.owner.refresh_from_db()
    assert b.owner.check_password("pw-for-tests-1")


def test_staff_may_not_set_the_password_of_someone_who_is_also_in_another_organization(orgs, staff):
    a, b = orgs
    Membership.objects.create(user=b.owner, organization=a.organization, role="employee")
    assert staff.get(url(type(b.owner), "change", b.owner.pk)).status_code == 200  # one of A's people: seen
    response = staff.post(reverse("admin:auth_user_password_change", args=[b.owner.pk]),
                          {"password1": "taken-over-2026", "password2": "taken-over-2026"})
    assert response.status_code == 403
    b.owner.refresh_from_db()
    assert b.owner.check_password("pw-for-tests-1")


def test_staff_cannot_attach_an_email_address_to_another_organizations_admin(orgs, staff):
    from allauth.account.models import EmailAddress

    a, b = orgs
    response = staff.post(reverse("admin:account_emailaddress_add"), {
        "user": b.owner.pk, "email": a.owner.email, "verified": "on", "primary": "on",
    })
    assert response.status_code == 403
    assert not EmailAddress.objects.filter(user=b.owner).exists()


def test_an_employee_cannot_be_linked_to_another_organizations_user_through_the_raw_id_field(orgs, staff):
    from hr.models import Employee

    a, b = orgs
    employee = Employee.objects.create(organization=a.organization, given_name="Åsa", family_name="Öberg",
                                       email="asa@alfa.test", employment_id="E1")
    page = staff.get(url(Employee, "change", employee.pk))
    data = submitted(page.content.decode(), "employee_form")

    refused = staff.post(url(Employee, "change", employee.pk), {**data, "user": [str(b.owner.pk)]})
    assert refused.status_code == 200 and list(refused.context["adminform"].form.errors) == ["user"]
    assert b.owner.email not in refused.content.decode()
    employee.refresh_from_db()
    assert employee.user is None

    linked = staff.post(url(Employee, "change", employee.pk), {**data, "user": [str(a.employee.pk)]})
    assert linked.status_code == 302
    employee.refresh_from_db()
    assert employee.user == a.employee


def test_staff_cannot_make_anyone_a_superuser_or_grant_permissions(orgs, staff):
    a, b = orgs
    page = staff.get(url(type(a.employee), "change", a.employee.pk))
    data = submitted(page.content.decode(), "user_form")
    superuser_permission = Permission.objects.get(codename="change_user")
    response = staff.post(url(type(a.employee), "change", a.employee.pk), {
        **data, "is_superuser": "on", "is_staff": "on", "user_permissions": [str(superuser_permission.pk)],
    })
    assert response.status_code == 302
    a.employee.refresh_from_db()
    assert not (a.employee.is_superuser or a.employee.is_staff or a.employee.user_permissions.exists())


def test_staff_neither_create_accounts_nor_found_organizations_in_the_admin(orgs, staff):
    a, _b = orgs
    assert staff.get(url(type(a.owner), "add")).status_code == 403  # people join by invitation
    assert staff.get(url(type(a.organization), "add")).status_code == 403
