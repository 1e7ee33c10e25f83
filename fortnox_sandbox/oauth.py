"""Fortnox's OAuth2 service (apps.fortnox.se/oauth-v1): consent page, token and revoke."""

import base64
import binascii
from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .actions import do_give_service_consent
from .models import AuthorizationCode, Consent, OAuthClient, SandboxUser, Token, digest

SCOPES = {
    "archive", "article", "bookkeeping", "companyinformation", "connectfile", "costcenter", "currency", "customer",
    "inbox", "invoice", "noxfinansinvoice", "offer", "order", "payment", "price", "print", "profile", "project",
    "salary", "settings", "supplier", "supplierinvoice", "timereporting", "warehouse", "warehousecustomdocument",
    "assets", "companylogo", "deletevoucher", "developerapi",
}
SESSION_USER = "fortnox_sandbox_user"


SERVICE_NOT_ALLOWED = "Client does not allow service account"  # Fortnox's words (API-FACTS §1, FAQ)


class ConsentError(Exception):
    """A problem the user must see on Fortnox's page: there is no trustworthy place to send them,
    or (like a client without service accounts) one Fortnox itself reports on its page."""


def authorize(request):
    """GET shows login or consent; POST logs in, approves or denies. Errors about the client or
    the redirect URI are shown here; everything else goes back to the app as an OAuth error."""
    params = request.GET
    try:
        client, redirect_uri = _client_and_redirect(params)
        if params.get("account_type") == "service" and not client.service_accounts_allowed:
            raise ConsentError(SERVICE_NOT_ALLOWED)
    except ConsentError as error:
        return render(request, "fortnox_sandbox/consent_error.html", {"message": str(error)}, status=400)
    state = params.get("state", "")
    problem = _request_problem(params, client)
    if problem:
        return _back_to_app(redirect_uri, error=problem, state=state)
    user = SandboxUser.objects.select_related("company").filter(pk=request.session.get(SESSION_USER)).first()
    context = {"client": client, "scopes": params["scope"].split(), "user": user,
               "service_account": params.get("account_type") == "service"}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "login":
            user = _login(request)
            if user is None:
                return render(request, "fortnox_sandbox/consent.html", {**context, "login_failed": True}, status=400)
            context["user"] = user
        elif action == "logout":
            request.session.pop(SESSION_USER, None)
            context["user"] = None
        elif user and action == "approve":
            if context["service_account"] and not user.is_system_admin:
                return render(request, "fortnox_sandbox/consent.html", {**context, "admin_needed": True}, status=403)
            if context["service_account"]:
                do_give_service_consent(client, user, context["scopes"])
            code = AuthorizationCode.issue(client, user, context["scopes"], params.get("redirect_uri", ""),
                                           context["service_account"])
            return _back_to_app(redirect_uri, code=code, state=state)
        elif action == "deny":
            # Fortnox's error redirect is undocumented; this is the standard OAuth2 shape.
            return _back_to_app(redirect_uri, error="access_denied", state=state)
    return render(request, "fortnox_sandbox/consent.html", context)


def _client_and_redirect(params):
    client = OAuthClient.objects.find(params.get("client_id", ""))
    if client is None:
        raise ConsentError("Auth code or ClientID supplied is invalid")
    redirect_uri = params.get("redirect_uri") or next(iter(client.redirect_uri_list), "")
    if not client.accepts_redirect_uri(redirect_uri):
        raise ConsentError(f"The redirect_uri {redirect_uri!r} is not registered for {client.name}.")
    return client, redirect_uri


def _request_problem(params, client) -> str:
    if params.get("response_type") != "code":
        return "unsupported_response_type"
    scopes = params.get("scope", "").split()
    if not scopes or any(scope not in SCOPES for scope in scopes):
        return "invalid_scope"
    if not params.get("state"):
        return "invalid_request"
    if params.get("account_type") not in (None, "", "service"):
        return "invalid_request"
    return ""


def _login(request):
    user = SandboxUser.objects.select_related("company").filter(username=request.POST.get("username", "")).first()
    if user is None or not user.check_password(request.POST.get("password", "")):
        return None
    request.session[SESSION_USER] = user.pk
    return user


def _back_to_app(redirect_uri: str, **params):
    separator = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(redirect_uri + separator + urlencode(params))


# --- token endpoint ---------------------------------------------------------------------------


def _oauth_error(error: str, description: str, status: int, content_type: str):
    # The live service labels these JSON bodies text/html or text/plain (API-FACTS §11): a
    # client has to parse the body whatever the header says, and the sandbox keeps it that way.
    return JsonResponse({"error": error, "error_description": description}, status=status, content_type=content_type)


def invalid_client():
    return _oauth_error("invalid_client", "The client credentials are invalid", 401, "text/plain")


def invalid_grant(description: str):
    return _oauth_error("invalid_grant", description, 400, "text/html")


def basic_client(request):
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if "\x00" in client_id:  # PostgreSQL cannot compare text holding NUL
        return None
    return OAuthClient.objects.authenticate(client_id, secret)


def client_endpoint(view):
    """POST with the app's client id and secret in HTTP Basic (no browser, so no CSRF)."""

    @csrf_exempt
    @require_POST
    @wraps(view)
    def wrapped(request):
        client = basic_client(request)
        return invalid_client() if client is None else view(request, client)

    return wrapped


@client_endpoint
def token(request, client):
    grant_type = request.POST.get("grant_type")
    if grant_type == "authorization_code":
        issued = _grant_code(request, client)
    elif grant_type == "refresh_token":
        issued = _grant_refresh(request, client)
    elif grant_type == "client_credentials":
        issued = _grant_client_credentials(request, client)
    else:
        return _oauth_error("unsupported_grant_type", f"Unsupported grant type {grant_type!r}", 400, "text/html")
    if not isinstance(issued, tuple):
        return issued
    token, access, refresh = issued
    body = {"access_token": access, "scope": token.scopes, "token_type": "bearer",
            "expires_in": int(token.company.access_lifetime.total_seconds())}
    if grant_type != "client_credentials":
        body["refresh_token"] = refresh
    return JsonResponse(body)


def _grant_code(request, client):
    code = AuthorizationCode.objects.select_related("user__company").filter(
        code_hash=digest(request.POST.get("code", "")), client=client
    ).first()
    if code is None or (code.redirect_uri and request.POST.get("redirect_uri") != code.redirect_uri):
        return invalid_grant("Invalid authorization code")
    if not code.redeem():
        return invalid_grant("Invalid authorization code")
    company = code.user.company
    return Token.issue(client, company, code.user, code.scopes, sorted(company.modules), code.service_account)


def _grant_refresh(request, client):
    old = Token.objects.select_related("company").filter(
        refresh_hash=digest(request.POST.get("refresh_token", "")), client=client
    ).first()
    if old is None or not old.consume_refresh():
        return invalid_grant("Invalid refresh token")
    return Token.issue(client, old.company, old.user, old.scopes, old.modules, old.service_account)


def _grant_client_credentials(request, client):
    """Needs a standing service-account consent of this client in the tenant (API-FACTS §1):
    never given and revoked look the same to the app, as nothing says Fortnox tells them apart."""
    tenant = _int(request.headers.get("TenantId"))
    if tenant is None:
        return _oauth_error("invalid_request", "The TenantId header is missing or not a number", 400, "text/html")
    consent = Consent.objects.standing().select_related("company").filter(
        client=client, company__database_number=tenant
    ).first()
    if consent is None:
        return invalid_grant("No service account consent for this tenant")
    return Token.issue(client, consent.company, None, consent.scopes, consent.modules, True)


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@client_endpoint
def revoke(request, client):
    hashed = digest(request.POST.get("token", ""))
    field = "access_hash" if request.POST.get("token_type_hint") == "access_token" else "refresh_hash"
    revoked = Token.objects.filter(client=client, **{field: hashed}).update(revoked=True)
    return JsonResponse({"revoked": bool(revoked)})
