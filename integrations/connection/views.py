import logging
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.core.models import FortnoxConnection
from integrations.fortnox import oauth, tokens, webhooks
from integrations.fortnox.errors import FortnoxCompanyTaken, FortnoxError
from organizations.decorators import organization_required
from organizations.mfa import require_mfa_setup
from organizations.middleware import SESSION_KEY
from organizations.models import Organization
from organizations.permissions import Perm
from organizations.stored_text import StoredText

from . import actions
from .forms import ActivationForm, FortnoxFeaturesForm

log = logging.getLogger("integrations.fortnox")

# The pending authorization: which state we sent to Fortnox, for which organization. Popped on
# the way back, so a state works once.
OAUTH_SESSION_KEY = "fortnox_oauth"


def _start_authorization(request, organization, **pending):
    connection = FortnoxConnection.existing_or_unsaved(organization)
    state = secrets.token_urlsafe(32)
    # Decided when the consent is asked for, so the answer is read as what was asked.
    service_account = settings.FORTNOX_SERVICE_ACCOUNTS
    request.session[OAUTH_SESSION_KEY] = {"state": state, "organization_id": organization.pk,
                                          "service_account": service_account, **pending}
    return redirect(oauth.authorization_url(connection.requested_scopes(), state, service_account=service_account))


def _refused(request, message, status=400, retry_url="", taken: FortnoxCompanyTaken | None = None):
    # A refused *re*-connect leaves the connection there was: the page must not say "nothing was
    # connected" while Fortnox still works.
    connection = FortnoxConnection.existing_or_unsaved(request.organization)
    if connection.is_connected:
        message = _("%(message)s Your existing connection to %(company)s is unchanged and still works.") % {
            "message": message, "company": connection.company_name}
    return render(request, "integrations/fortnox_refused.html", {
        "message": message, "retry_url": retry_url, "still_connected": connection.is_connected,
        # Only a superuser may move a company another organization holds, and only by confirming it.
        "taken": taken if taken is not None and request.user.is_superuser else None,
    }, status=status)


@organization_required(Perm.MANAGE_SETTINGS)
def connection_page(request):
    connection = FortnoxConnection.existing_or_unsaved(request.organization)
    form = FortnoxFeaturesForm(request.POST or None, instance=connection)
    if request.method == "POST" and form.is_valid():
        actions.do_save_features(connection, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        if "connect" in request.POST:  # the features chosen and (re-)connected with one button
            return _start_authorization(request, request.organization)
        if connection.is_connected and connection.missing_scopes():
            messages.warning(request, _("Saved. Re-connect Fortnox to approve the permissions the new features need."))
        else:
            messages.success(request, _("The Fortnox settings were saved."))
        return redirect("fortnox_connection")
    return render(request, "integrations/connection.html", {
        "connection": connection, "form": form, "service_accounts": settings.FORTNOX_SERVICE_ACCOUNTS})


@organization_required(Perm.MANAGE_SETTINGS)
@require_POST
def connect(request):
    return _start_authorization(request, request.organization)


@organization_required(Perm.MANAGE_SETTINGS)
def callback(request):
    pending = request.session.pop(OAUTH_SESSION_KEY, None)
    state = request.GET.get("state", "")
    # Compared as bytes: compare_digest refuses text with anything but ASCII in it, which a
    # hand-edited address may well carry.
    if pending is None or not secrets.compare_digest(pending["state"].encode(), state.encode()):
        return _refused(request, _(
            "This answer from Fortnox does not belong to a connection started here (it was already used, "
            "or it was started in another browser). Nothing was changed. Start the connection again."
        ))
    if pending["organization_id"] != request.organization.pk:
        return _refused(request, _(
            "The connection was started for another organization than the one you work in now. Nothing was "
            "changed. Switch to the right organization and start again."
        ))
    if "error" in request.GET:
        error = oauth.FortnoxOAuthError(request.GET["error"], request.GET.get("error_description", ""))
        message = error.user_message
        if error.error == "access_denied" and FortnoxConnection.existing_or_unsaved(request.organization).is_connected:
            message = _("The re-connection was cancelled in Fortnox.")
        if error.error == "access_denied" and pending.get("service_account"):
            # Who may approve a service account, and what to do, instead of the general words.
            if not FortnoxConnection.existing_or_unsaved(request.organization).is_connected:
                message = _("The connection was cancelled in Fortnox, so nothing was connected.")
            message = " ".join([message, _(
                "Brygga connects as a Fortnox service account, which only a system administrator of the Fortnox "
                "company (Systemadministratör) can approve: Fortnox refuses anyone else. Ask your system administrator "
                "to start the connection here and log in to Fortnox, or to make you system administrator in Fortnox "
                "under Settings → Users.")])
        # Back to where the connection was started (the wizard's first step), to try again from there.
        return _refused(request, message, retry_url=pending.get("retry", ""))
    if not request.GET.get("code"):
        return _refused(request, _("Fortnox sent no authorization code. Nothing was changed. Start the connection again."))
    try:
        granted = oauth.exchange_code(request.GET["code"])
        connection = actions.do_connect(request.organization, granted, request.user, take_over_tenant=pending.get("take_over", ""),
                                        service_account=pending.get("service_account", False))
    except FortnoxCompanyTaken as exc:
        return _refused(request, exc.user_message, status=409, retry_url=pending.get("retry", ""), taken=exc)
    except FortnoxError as exc:
        return _refused(request, exc.user_message, status=502 if exc.status and exc.status >= 500 else 400)
    messages.success(request, _("Fortnox is connected to %(company)s.") % {"company": connection.company_name})
    if connection.resent_count:
        messages.info(request, ngettext(
            "%(count)s change made while Fortnox was not connected is being sent now.",
            "%(count)s changes made while Fortnox was not connected are being sent now.", connection.resent_count,
        ) % {"count": connection.resent_count})
    return redirect(pending.get("next") or "fortnox_connection")


@organization_required(Perm.MANAGE_SETTINGS)
@require_POST
def disconnect(request):
    connection = FortnoxConnection.existing_or_unsaved(request.organization)
    if connection.pk is None or connection.status == FortnoxConnection.Status.DISCONNECTED:
        messages.info(request, _("Fortnox was not connected."))
        return redirect("fortnox_connection")
    if not request.POST.get("confirmed"):
        return render(request, "integrations/disconnect_confirm.html", {"connection": connection})
    service_account = connection.service_account and bool(connection.tenant_id)
    failure = actions.do_disconnect(connection)
    if service_account:
        # Fortnox offers no way for an app to end a service account's consent: only the customer can.
        messages.warning(request, _(
            "Fortnox is disconnected: Brygga forgot its access. The service account's consent can only be ended in "
            "Fortnox: to end it there too, remove Brygga under Integrations in Fortnox."
        ))
    elif failure is None:
        messages.success(request, _("Fortnox is disconnected and Brygga's access was revoked."))
    else:
        messages.warning(request, _(
            "Brygga forgot its access to Fortnox, but Fortnox could not be told (%(reason)s). To be sure, remove "
            "Brygga under Integrations in Fortnox."
        ) % {"reason": failure.user_message})
    return redirect("fortnox_connection")


@organization_required(Perm.MANAGE_SETTINGS)
@require_POST
def take_over(request):
    """A superuser moves a Fortnox company held by another organization to this one: approved in
    Fortnox once more, and only the company named in the confirmed form is taken."""
    if not request.user.is_superuser:
        raise PermissionDenied
    tenant_id = request.POST.get("tenant_id", "")
    if not (tenant_id and request.POST.get("confirmed")):
        messages.error(request, _("Tick the box to confirm that the Fortnox company moves to this organization."))
        return redirect("fortnox_connection")
    return _start_authorization(request, request.organization, take_over=tenant_id)


def activate(request):
    """Where Fortnox's app market sends a customer who clicks Activate: log in, pick the
    organization, approve in Fortnox, then fine-tune the integration settings here."""
    if not request.user.is_authenticated:
        return render(request, "integrations/activate.html", {"next": request.get_full_path()})
    memberships = {
        m.organization_id: m for m in request.user.memberships.select_related("organization").order_by("organization__name")
    }
    if request.user.is_superuser:
        organizations = list(Organization.objects.order_by("name"))
    else:
        organizations = [m.organization for m in memberships.values() if m.can(Perm.MANAGE_SETTINGS)]
    form = ActivationForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        organization = form.cleaned_data["organization"]
        refused = require_mfa_setup(request, organization, memberships.get(organization.pk))
        if refused is not None:
            return refused
        request.session[SESSION_KEY] = organization.pk
        return _start_authorization(request, organization)
    return render(request, "integrations/activate.html", {"form": form, "organizations": organizations})


@csrf_exempt
@require_POST
def consent_webhook(request):
    """Fortnox tells that a service-account consent was created or revoked. Taken only from
    Fortnox's host and for Brygga's own client id, and never believed by itself: Fortnox is asked
    (a client-credentials token for that company) before anything changes. See
    integrations.fortnox.webhooks and docs/service-accounts.md."""
    address = request.META.get("REMOTE_ADDR", "")
    if not webhooks.from_fortnox(address):
        log.warning("consent webhook refused: %s is not Fortnox's host", address)
        return HttpResponse(status=403)
    try:
        hook = webhooks.read(request.body)
    except webhooks.NotAWebhook as exc:
        log.warning("consent webhook refused: %s", exc)
        return HttpResponse(status=400)
    connection = FortnoxConnection.objects.filter(tenant_id=hook.tenant_id, service_account=True).first()
    if connection is None:
        return HttpResponse(status=204)  # no service account of Brygga's in that company: nothing to do
    try:
        stands = tokens.consent_stands(hook.tenant_id)
    except FortnoxError as exc:
        # No answer from Fortnox is no confirmation: 503 makes Fortnox send the webhook again.
        log.warning("consent webhook for company %s not confirmed (%s); asking to be sent again", hook.tenant_id, exc)
        return HttpResponse(status=503)
    if hook.event == webhooks.REVOKED:
        if stands:
            log.warning("consent webhook says company %s revoked, but Fortnox still gives tokens: ignored", hook.tenant_id)
        elif connection.is_connected:
            actions.do_consent_revoked(connection, reason=StoredText(actions.CONSENT_REVOKED_BY_WEBHOOK))
    elif stands:
        try:
            actions.do_complete_service_account(connection)
        except FortnoxError as exc:
            log.warning("consent webhook for company %s: connecting failed (%s)", hook.tenant_id, exc)
            return HttpResponse(status=503)
    else:
        log.warning("consent webhook says company %s consented, but Fortnox gives no token: ignored", hook.tenant_id)
    return HttpResponse(status=204)
