"""The JSON control API for tests and benchmarks (under /_control/api/)."""

import json

from django.forms.models import model_to_dict
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .access import control_api_access
from .actions import do_reset_company, do_revoke_consent, do_seed_company, next_database_number
from .api import call_in_fortnox
from .events import as_frame
from .forms import CompanyForm, OAuthClientForm, OAuthClientSettingsForm, SandboxUserForm, SandboxUserRoleForm
from .models import Company, Consent, OAuthClient, Record, RequestLog, SandboxUser, TopicEvent

RECORD_PAGE = 500


def control_endpoint(*methods):
    def decorate(view):
        return csrf_exempt(control_api_access(require_http_methods(list(methods))(view)))

    return decorate


class BadBody(Exception):
    pass


def _body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadBody("The body is not JSON.") from None
    if not isinstance(body, dict):
        raise BadBody("The body must be a JSON object.")
    return body


def _form_errors(form) -> JsonResponse:
    return JsonResponse({"error": "invalid", "errors": form.errors.get_json_data()}, status=400)


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": "invalid", "message": message}, status=400)


def company_json(company: Company) -> dict:
    data = model_to_dict(company, fields=CompanyForm.Meta.fields)
    data["locked_salary_until"] = company.locked_salary_until.isoformat() if company.locked_salary_until else None
    return data


def _bound_form(form_class, body: dict, instance=None, initial: dict | None = None):
    """Partial updates: unknown keys are refused, missing keys keep their current values."""
    unknown = set(body) - set(form_class.base_fields)
    if unknown:
        raise BadBody(f"Unknown fields: {', '.join(sorted(unknown))}.")
    return form_class({**(initial or {}), **body}, instance=instance)


@control_endpoint("GET", "POST")
def companies(request):
    if request.method == "GET":
        return JsonResponse({"companies": [company_json(c) for c in Company.objects.all()]})
    try:
        defaults = company_json(Company(database_number=next_database_number()))
        form = _bound_form(CompanyForm, _body(request), initial=defaults)
    except BadBody as error:
        return _bad(str(error))
    if not form.is_valid():
        return _form_errors(form)
    return JsonResponse(company_json(form.save()), status=201)


@control_endpoint("GET", "PATCH")
def company(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    if request.method == "GET":
        return JsonResponse(company_json(company))
    try:
        form = _bound_form(CompanyForm, _body(request), instance=company, initial=company_json(company))
    except BadBody as error:
        return _bad(str(error))
    if not form.is_valid():
        return _form_errors(form)
    return JsonResponse(company_json(form.save()))


@control_endpoint("POST")
def reset(request, database_number):
    do_reset_company(get_object_or_404(Company, database_number=database_number))
    return JsonResponse({"reset": True})


@control_endpoint("POST")
def seed(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    try:
        body = _body(request)
        size, seed_value = int(body.get("size", 300)), int(body.get("seed", 1))
    except (BadBody, TypeError, ValueError) as error:
        return _bad(str(error) or "size and seed must be whole numbers.")
    if not 1 <= size <= 5000:
        return _bad("size must be between 1 and 5000.")
    return JsonResponse({"seeded": do_seed_company(company, size=size, seed_value=seed_value)})


@control_endpoint("POST")
def users(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    try:
        form = _bound_form(SandboxUserForm, _body(request), initial={"is_system_admin": True})
    except BadBody as error:
        return _bad(str(error))
    if not form.is_valid():
        return _form_errors(form)
    form.instance.company = company
    user = form.save()
    return JsonResponse({"username": user.username, "company": company.database_number}, status=201)


@control_endpoint("POST")
def clients(request):
    try:
        form = _bound_form(OAuthClientForm, _body(request))
    except BadBody as error:
        return _bad(str(error))
    if not form.is_valid():
        return _form_errors(form)
    client = form.save()
    return JsonResponse({"client_id": client.client_id}, status=201)


def _patch(request, form_class, instance, current: dict, answer):
    """PATCH with a partial body through a form: unknown keys and bad values are 400s."""
    try:
        form = _bound_form(form_class, _body(request), instance=instance, initial=current)
    except BadBody as error:
        return _bad(str(error))
    if not form.is_valid():
        return _form_errors(form)
    return JsonResponse(answer(form.save()))


def user_json(user: SandboxUser) -> dict:
    return {"username": user.username, "name": user.name, "is_system_admin": user.is_system_admin,
            "company": user.company.database_number}


@control_endpoint("PATCH")
def user(request, database_number, username):
    found = get_object_or_404(SandboxUser.objects.select_related("company"),
                              company__database_number=database_number, username=username)
    return _patch(request, SandboxUserRoleForm, found, {"name": found.name, "is_system_admin": found.is_system_admin},
                  user_json)


def client_json(client: OAuthClient) -> dict:
    return {"client_id": client.client_id, "name": client.name,
            "service_accounts_allowed": client.service_accounts_allowed, "webhook_url": client.webhook_url}


@control_endpoint("GET", "PATCH")
def client(request, client_id):
    OAuthClient.objects.ensure_builtin()
    found = get_object_or_404(OAuthClient, client_id=client_id)
    if request.method == "GET":
        return JsonResponse(client_json(found))
    return _patch(request, OAuthClientSettingsForm, found,
                  {"service_accounts_allowed": found.service_accounts_allowed, "webhook_url": found.webhook_url},
                  client_json)


def consent_json(consent: Consent) -> dict:
    return {"client_id": consent.client.client_id, "tenant_id": consent.company.database_number,
            "scopes": consent.scope_list, "approved_by": consent.approved_by.username if consent.approved_by else None,
            "created": consent.created.isoformat(), "revoked": consent.revoked.isoformat() if consent.revoked else None}


@control_endpoint("GET")
def consents(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    found = Consent.objects.filter(company=company).select_related("client", "company", "approved_by")
    return JsonResponse({"consents": [consent_json(c) for c in found]})


@control_endpoint("POST")
def revoke_consent(request, database_number, client_id):
    """The customer revokes the app's service account (as in Fortnox's integration settings)."""
    consent = get_object_or_404(Consent.objects.select_related("client", "company", "approved_by"),
                                company__database_number=database_number, client__client_id=client_id)
    revoked = do_revoke_consent(consent)
    return JsonResponse({"revoked": revoked, "consent": consent_json(consent)})


@control_endpoint("GET")
def records(request, database_number, resource):
    company = get_object_or_404(Company, database_number=database_number)
    found = Record.objects.filter(company=company, resource=resource).order_by("key")[:RECORD_PAGE]
    return JsonResponse({"records": [{"key": r.key, "modified": r.modified.isoformat(), "document": r.document}
                                     for r in found]})


@control_endpoint("GET")
def request_log(request, database_number):
    company = get_object_or_404(Company, database_number=database_number)
    entries = RequestLog.objects.filter(company=company)[:RECORD_PAGE]
    return JsonResponse({"requests": [
        {"method": e.method, "path": e.path, "query": e.query, "status": e.status, "token": e.token_id,
         "fault": e.fault, "duration_ms": e.duration_ms, "at": e.at.isoformat()} for e in entries
    ]})


@control_endpoint("POST")
def in_fortnox(request, database_number):
    """`{"method": "PUT", "path": "3/orders/7/cancel", "body": {...}}`: a change made in Fortnox
    itself, through the route's own rules (`api.call_in_fortnox`); answers its status and body."""
    company = get_object_or_404(Company, database_number=database_number)
    try:
        body = _body(request)
    except BadBody as error:
        return _bad(str(error))
    method, tail = body.get("method", "GET"), body.get("path")
    if not isinstance(tail, str) or not tail or not isinstance(method, str):
        return _bad("Send {\"method\": \"POST\", \"path\": \"3/orders\", \"body\": {...}}.")
    unknown = set(body) - {"method", "path", "body"}
    if unknown:
        return _bad(f"Unknown fields: {', '.join(sorted(unknown))}.")
    status, answer = call_in_fortnox(company, method, tail, body.get("body"), request)
    return JsonResponse({"status": status, "body": answer})


@control_endpoint("GET")
def stream_events(request, database_number):
    """The company's latest events on the stream, newest first (`?topic=orders&limit=100`)."""
    company = get_object_or_404(Company, database_number=database_number)
    found = TopicEvent.objects.filter(company=company).order_by("-at", "-pk")
    if request.GET.get("topic"):
        found = found.filter(topic=request.GET["topic"])
    try:
        limit = min(max(int(request.GET.get("limit", 100)), 1), RECORD_PAGE)
    except ValueError:
        return _bad("limit must be a whole number.")
    return JsonResponse({"events": [as_frame(event) for event in found[:limit]]})
