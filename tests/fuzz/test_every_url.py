"""No input gives a 5xx, and nothing anyone sends changes another organization's rows.

Every URL pattern Brygga has (its own pages, the Fortnox sandbox, the Django admin; read from the
URL resolver, so a pattern added tomorrow is fuzzed tomorrow) is called by every identity
(anonymous, each role of organization A, a non-superuser staff member of A holding every model
permission, and for the sandbox a Fortnox app with a token and the control key) with hostile path
ids, query parameters and form fields. Organization B has a row in every kind of record, and its
ids are among the path ids A's people try.

The full cross-product (patterns × identities × inputs × methods) is some 60,000 requests; to stay
within CI's time the inputs are sampled deterministically: request n gets input n mod len(INPUTS)
in every slot, so each pattern meets a different input per identity and method, and each form
field name meets every input somewhere. The counts are printed at the end of the run."""

import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from hr import actions as hr_actions
from hr.models import AbsenceType
from integrations.core.models import IntegrationError, SyncRun
from integrations.hr_sync.models import EmployeeConflict
from organizations.models import Invitation, Notification, Organization, User
from organizations.permissions import Role
from tests.support.hr import employee_values
from tests.support.tenants import Tenant, make_tenant
from tests.support.warehouse import Build

INPUTS = [
    "abc", "-1", "0", "99999999999999999999999", "9223372036854775808", "\x00", "a\x00b", "Åsa Öberg 😀 ☃",
    "x" * 100_000, "2026-02-30", "0000-00-00T25:61", "31/12/2026", "1e400", "NaN", "-99999999999", "' OR 1=1 --",
    "../../../etc/passwd", "<script>alert(1)</script>", "", "[]", "{\"a\": 1}",
]
# Query and form names every request carries besides the project's own form fields.
COMMON_NAMES = [
    "page", "q", "next", "state", "code", "error", "organization", "notification", "action", "size", "seed", "o", "p",
    "all", "_changelist_filters", "username", "password", "grant_type", "refresh_token", "token", "scope",
    "client_id", "redirect_uri", "response_type", "account_type", "lastmodified", "limit", "offset",
    "filter", "sortby", "id", "pk", "employee", "status", "from", "to", "start", "end", "date", "month", "year", "keep",
]
NAMES_PER_REQUEST = 14
# Brygga's own packages: every app in them (hr_sync, fortnox_events, … as they come) is fuzzed and protected.
PACKAGES_OF_BRYGGA = ("organizations", "hr", "warehouse", "integrations")


def of_brygga(model) -> bool:
    return model._meta.app_config.name.split(".")[0] in PACKAGES_OF_BRYGGA


# --- the URL patterns ----------------------------------------------------------------------------

@dataclass
class Route:
    pieces: list  # literal text and Param, in order
    text: str

    @property
    def params(self):
        return [piece for piece in self.pieces if isinstance(piece, Param)]

    @property
    def in_sandbox(self) -> bool:
        return self.text.startswith("sandbox/")


@dataclass
class Param:
    name: str
    regex: str
    keeps_slashes: bool = False
    choices: list = field(default_factory=list)


NAMED_GROUP = re.compile(r"\(\?P<(\w+)>([^()]*)\)")
ROUTE_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _pieces(pattern) -> list:
    if isinstance(pattern, RegexPattern):
        text, finder, regex_of = str(pattern._regex).removeprefix("^").removesuffix("$"), NAMED_GROUP, None
    else:
        text, finder, regex_of = str(pattern), ROUTE_PARAM, pattern.converters
    pieces, at = [], 0
    for match in finder.finditer(text):
        pieces.append(text[at:match.start()])
        if regex_of is None:
            name, regex = match.group(1), match.group(2)
            words = regex.split("|")
            choices = words if len(words) > 1 and all(re.fullmatch(r"\w+", w) for w in words) else []
            pieces.append(Param(name, regex, keeps_slashes="." in regex, choices=choices))
        else:
            name = match.group(2)
            converter = regex_of[name]
            pieces.append(Param(name, converter.regex, keeps_slashes=match.group(1) == "path"))
        at = match.end()
    pieces.append(text[at:])
    return pieces


def every_route() -> list[Route]:
    def walk(patterns, prefix):
        for pattern in patterns:
            pieces = prefix + _pieces(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pieces)
            else:
                yield Route(pieces, "".join(p if isinstance(p, str) else f"<{p.name}>" for p in pieces))

    return list(walk(get_resolver().url_patterns, []))


# --- what is sent ----------------------------------------------------------------------------------

def form_field_names() -> list[str]:
    """Every field name of every form of Brygga's (and of its models, which the admin's forms use)."""
    names = set(COMMON_NAMES)
    stack = [forms.BaseForm]
    while stack:
        form_class = stack.pop()
        stack.extend(form_class.__subclasses__())
        if form_class.__module__.split(".")[0] in PACKAGES_OF_BRYGGA:
            names.update(getattr(form_class, "base_fields", {}))
    for model in apps.get_models():
        if of_brygga(model):
            names.update(f.name for f in model._meta.get_fields() if f.concrete)
    return sorted(names)


def fill(route: Route, value: str, ids: list[int], n: int) -> str:
    """The route with `value` in every parameter that can take it; where it cannot match (the
    resolver would answer 404 before any view), an id of A's or B's rows, or a valid choice."""
    path = []
    for piece in route.pieces:
        if isinstance(piece, str):
            path.append(piece)
            continue
        if piece.choices:
            chosen = piece.choices[n % len(piece.choices)]
        elif value and re.fullmatch(piece.regex, value, flags=re.DOTALL):
            chosen = value
        else:
            chosen = str(ids[n % len(ids)])
        path.append(quote(chosen, safe="/" if piece.keeps_slashes else ""))
    return "/" + "".join(path)


def fields(names: list[str], value: str, n: int) -> dict:
    # A 100,000-character value in every slot would exceed the upload limit and test only that.
    size = 2 if len(value) > 1000 else NAMES_PER_REQUEST
    start = (n * NAMES_PER_REQUEST) % len(names)
    return {name: value for name in (names + names)[start:start + size]}


# --- the two organizations -------------------------------------------------------------------------

def populate(tenant: Tenant) -> None:
    """A row of every kind the pages show: people, absences, notifications, an invitation, the
    warehouse's records, a synchronisation run, an integration error and a conflict in the inbox."""
    org = tenant.organization
    manager = hr_actions.do_create_employee(org, employee_values(user=tenant.manager), acting_user=tenant.hr_admin)
    report = hr_actions.do_create_employee(org, employee_values(user=tenant.employee, manager=manager),
                                           acting_user=tenant.hr_admin)
    hr_actions.do_create_employee(org, employee_values(user=tenant.hr_admin), acting_user=tenant.hr_admin)
    AbsenceType.objects.ensure_defaults(org)
    vacation = AbsenceType.objects.for_organization(org).get(code="vacation")
    hr_actions.do_request_absence(report, {"absence_type": vacation, "start_date": date(2027, 3, 1),
                                           "end_date": date(2027, 3, 5)}, acting_user=tenant.employee)
    for person in (tenant.owner, tenant.employee, tenant.manager):
        Notification.objects.create(organization=org, user=person, title="Hej", body="Något hände.")
    Invitation.objects.create(organization=org, email=f"new@{org.pk}.test", role=Role.EMPLOYEE)
    build = Build(org)
    article = build.article()
    build.order((article, 2))
    build.purchase_order((article, 3))
    SyncRun.objects.create(organization=org, kind="absence_backfill", data={"absence_ids": []})
    IntegrationError.objects.create(organization=org, kind="employee_update", message="Fortnox refused it.")
    EmployeeConflict.objects.create(organization=org, employee=report, field="phone", brygga_value="070-1",
                                    fortnox_value="070-2")


def organization_lookup(model) -> str | None:
    """The lookup from a model to its Organization (two steps at most), or None."""
    if model is Organization:
        return "pk"
    for first in model._meta.get_fields():
        if first.many_to_one and first.concrete:
            if first.related_model is Organization:
                return first.name
            for second in first.related_model._meta.get_fields():
                if second.many_to_one and second.concrete and second.related_model is Organization:
                    return f"{first.name}__{second.name}"
    return None


def rows_of(organization) -> dict:
    """Everything that belongs to `organization`, and its people's accounts, as plain values."""
    snapshot = {}
    for model in apps.get_models():
        lookup = organization_lookup(model) if of_brygga(model) else None
        if lookup:
            snapshot[model._meta.label] = list(model.objects.filter(**{lookup: organization.pk}).order_by("pk").values())
    snapshot["users"] = list(User.objects.filter(memberships__organization=organization).order_by("pk")
                             .values("pk", "email", "password", "is_staff", "is_superuser", "is_active", "first_name"))
    return snapshot


# --- the identities ----------------------------------------------------------------------------------

@dataclass
class Identity:
    name: str
    user: User | None = None
    headers: dict = field(default_factory=dict)
    sandbox_only: bool = False

    def __post_init__(self):
        self.client = Client(raise_request_exception=False, headers=self.headers)

    def ready(self) -> Client:
        """Logged in again if a request logged it out (the fuzzer posts to logout pages too)."""
        if self.user is not None and "_auth_user_id" not in self.client.session:
            self.client.force_login(self.user)
        return self.client


def identities(a: Tenant) -> list[Identity]:
    staff = User.objects.create_user(email="staff@alfa.test", password="pw-for-tests-1", is_staff=True)
    staff.user_permissions.set(Permission.objects.all())
    a.organization.memberships.create(user=staff, role=Role.EMPLOYEE)
    people = [Identity("anonymous")]
    people += [Identity(role.value, a.member(role)) for role in Role]
    people.append(Identity("staff (every model permission)", staff))
    people.append(Identity("Fortnox app (token and control key)", headers=sandbox_app_headers(), sandbox_only=True))
    return people


def sandbox_app_headers() -> dict:
    from fortnox_sandbox.models import Company, OAuthClient, SandboxUser, Token

    company = Company.objects.create(database_number=4242, name="Fuzz AB", warehouse_licence=True,
                                     purchase_orders_licence=True)
    user = SandboxUser.objects.create(company=company, username="fuzz@sandbox", password="x")
    _, access, _ = Token.issue(OAuthClient.objects.ensure_builtin(), company, user, "salary companyinformation "
                               "warehouse article customer order invoice supplier", sorted(company.modules), False)
    return {"Authorization": f"Bearer {access}", "X-Sandbox-Control-Key": settings.FORTNOX_SANDBOX_CONTROL_KEY}


# --- the test --------------------------------------------------------------------------------------

SHARDS = 4


@pytest.mark.slow
@pytest.mark.timeout(600)  # a quarter of the URLs each: the whole takes about 70 s on a quiet machine (SQLite)
# In shards, so the test workers share it: whole, it was the last test running on PostgreSQL (6 min).
@pytest.mark.parametrize("shard", range(SHARDS))
def test_no_input_to_any_url_gives_a_5xx_or_changes_another_organizations_rows(db, request, capsys, shard):
    a = make_tenant("Alfa AB", "556036-0793", "alfa")
    b = make_tenant("Beta AB", "212000-0142", "beta")
    populate(a)
    populate(b)
    ids = sorted({pk for model in (Organization, User, Invitation, SyncRun, IntegrationError, *_owned_models())
                  for pk in model.objects.values_list("pk", flat=True)})
    routes, names, people = every_route()[shard::SHARDS], form_field_names(), identities(a)
    b_before = rows_of(b.organization)
    assert len([label for label, rows in b_before.items() if rows]) >= 15, "B has rows of every kind to protect"

    failures, sent, serial = [], count(), count()
    errors = []
    got_request_exception.connect(lambda sender, **kw: errors.append(repr(sys.exc_info()[1])[:300]),
                                  weak=False, dispatch_uid="fuzz")
    try:
        for route in routes:
            for person in people:
                if person.sandbox_only and not route.in_sandbox:
                    continue
                # The sandbox's API also takes PUT and DELETE; only the app with a token gets past its door.
                for method in ("get", "post", *(("put", "delete") if person.sandbox_only else ())):
                    n = next(serial)
                    value = INPUTS[n % len(INPUTS)]
                    url = fill(route, value, ids, n)
                    response, error = send(person.ready(), method, url, fields(names, value, n), errors)
                    next(sent)
                    if response.status_code >= 500 and url != "/healthz":  # 503 there means "no job cluster"
                        failures.append(f"{response.status_code} {method.upper()} {url[:120]} as {person.name} "
                                        f"with {value[:30]!r}: {error}")
    finally:
        got_request_exception.disconnect(dispatch_uid="fuzz")

    summary = (f"fuzz on {connection.vendor}, shard {shard + 1}/{SHARDS}: {len(routes)} URL patterns x {len(people)} identities x {len(INPUTS)} "
               f"inputs (sampled) = {next(sent)} requests, {len(failures)} with a 5xx")
    with capsys.disabled():
        print(f"\n{summary}")
    request.node.user_properties.append(("fuzz", summary))
    assert not failures, "\n".join(failures[:40])
    assert rows_of(b.organization) == b_before, "a request changed organization B's rows"


def _owned_models():
    return [m for m in apps.get_models() if of_brygga(m) and organization_lookup(m)]


def send(client: Client, method: str, url: str, data: dict, errors: list):
    """One request in its own savepoint, so a database error in it cannot poison the next one."""
    errors.clear()
    savepoint = transaction.savepoint()
    if method == "get":
        response = client.get(url, data)
    elif method == "post":
        response = client.post(url, data)
    else:
        response = getattr(client, method)(url, json.dumps(data), content_type="application/json")
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    return response, "; ".join(errors)
