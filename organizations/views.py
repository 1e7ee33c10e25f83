from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import actions, health
from .decorators import organization_required
from .forms import AcceptInvitationForm, InvitationForm, MembershipRoleForm, OrganizationSettingsForm, UserLanguageForm
from .language import do_save_language
from .middleware import SESSION_KEY
from .models import Invitation, Membership, Notification, Organization, User
from .permissions import Perm, Role

BIGGEST_ID = 2**63 - 1  # primary keys are 64-bit integers on both databases


def record_ids(values: list[str]) -> list[int]:
    """Primary keys chosen in a form. ValueError for anything that cannot be one: SQLite crashes
    on a number past 64 bits in an IN list (Django guards only single-value lookups)."""
    ids = [int(value) for value in values]
    if not all(0 < each <= BIGGEST_ID for each in ids):
        raise ValueError("not a record id")
    return ids


@login_required
def dashboard(request):
    if request.organization is None:
        return render(request, "organizations/no_organization.html", status=403)
    return render(request, "organizations/dashboard.html")


@never_cache
def healthz(request):
    """Database and job-cluster liveness for load balancers and monitoring: 200 or 503, JSON."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        from django_q.conf import Conf
        from django_q.status import Stat

        alive = [s for s in Stat.get_all() if s.status != Conf.STOPPED]
        checks["cluster"] = "ok" if alive else "no heartbeat"
        checks["cluster_workers"] = sum(len(s.workers) for s in alive)
    except Exception as exc:  # the cache/broker itself is down: report it, do not 500
        checks["cluster"] = f"error: {exc.__class__.__name__}"
    healthy = checks["database"] == "ok" and checks["cluster"] == "ok"
    if checks["database"] == "ok":
        checks.update(health.report())  # e.g. the Fortnox event listener: reported, not deciding
    return JsonResponse({"status": "ok" if healthy else "unhealthy", **checks}, status=200 if healthy else 503)


@login_required
@require_POST
def switch_organization(request):
    try:
        org_id = int(request.POST.get("organization", ""))
    except ValueError:
        messages.error(request, _("Choose an organization from the list."))
        return redirect("dashboard")
    allowed = Organization.objects.all() if request.user.is_superuser else Organization.objects.filter(memberships__user=request.user)
    organization = get_object_or_404(allowed, pk=org_id)
    request.session[SESSION_KEY] = organization.pk
    messages.success(request, _("You are now working in %(org)s.") % {"org": organization.name})
    next_url = request.POST.get("next") or reverse("dashboard")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("dashboard")
    # Never redirect(): it would read a bare word like "abc" as a URL pattern name and crash.
    return HttpResponseRedirect(next_url)


@login_required
def preferences(request):
    form = UserLanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        response = redirect("preferences")
        do_save_language(request, response, form.cleaned_data["language"])
        messages.success(request, _("Your preferences were saved."))  # in the language just chosen
        return response
    return render(request, "organizations/preferences.html", {"form": form})


@organization_required(Perm.MANAGE_SETTINGS)
def members(request):
    org = request.organization
    form = InvitationForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        actions.do_invite_member(org, form.cleaned_data["email"], form.cleaned_data["role"], request.user)
        messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("members")
    return render(request, "organizations/members.html", {
        "form": form,
        "memberships": org.memberships.select_related("user").order_by("user__email"),
        "invitations": org.invitations.pending().select_related("invited_by"),
        "role_choices": Role.choices,
    })


@organization_required(Perm.MANAGE_SETTINGS)
@require_POST
def member_change_role(request, pk):
    membership = get_object_or_404(Membership.objects.filter(organization=request.organization), pk=pk)
    form = MembershipRoleForm(request.POST, instance=membership)
    if form.is_valid():
        actions.do_change_role(membership, form.cleaned_data["role"])
        messages.success(request, _("%(user)s is now %(role)s.") % {"user": membership.user, "role": membership.get_role_display()})
    else:
        messages.error(request, " ".join(form.errors.get("role", [])))
    return redirect("members")


@organization_required(Perm.MANAGE_SETTINGS)
@require_POST
def member_remove(request, pk):
    membership = get_object_or_404(Membership.objects.filter(organization=request.organization), pk=pk)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself; ask another organization admin."))
    else:
        actions.do_remove_member(membership)
        messages.success(request, _("%(user)s was removed from the organization.") % {"user": membership.user})
    return redirect("members")


@organization_required()
def notifications(request):
    mine = Notification.objects.filter(user=request.user, organization=request.organization)
    if request.method == "POST":
        ids = request.POST.getlist("notification")
        try:
            marked = actions.do_mark_notifications_read(request.user, request.organization, record_ids(ids) if ids else None)
        except ValueError:
            messages.error(request, _("Choose notifications from the list."))
        else:
            messages.success(request, ngettext("%(n)d notification marked as read.", "%(n)d notifications marked as read.", marked) % {"n": marked})
        return redirect("notifications")
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(request, "organizations/notifications.html", {"page": page})


@organization_required()
def notification_bell(request):
    return render(request, "organizations/_bell.html")


@organization_required(Perm.MANAGE_SETTINGS)
def organization_settings(request):
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The organization settings were saved."))
        return redirect("organization_settings")
    return render(request, "organizations/settings.html", {"form": form})


@organization_required(Perm.MANAGE_SETTINGS)
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(request.organization.invitations.pending(), pk=pk)
    actions.do_revoke_invitation(invitation)
    messages.success(request, _("The invitation for %(email)s was revoked.") % {"email": invitation.email})
    return redirect("members")


def _invitation_unusable(request, invitation):
    return render(request, "organizations/invitation_invalid.html", {"invitation": invitation}, status=404)


def invitation_accept(request, token):
    invitation = Invitation.objects.filter(token=token).select_related("organization").first()
    if invitation is None or not invitation.is_usable:
        return _invitation_unusable(request, invitation)
    try:
        return _accept(request, invitation)
    except actions.InvitationUsedUp as used_up:  # gone between showing the page and pressing the button
        return _invitation_unusable(request, used_up.invitation)


def _accept(request, invitation):
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email.lower():
            messages.error(request, _("This invitation is for %(email)s. Log out and open the link again.") % {"email": invitation.email})
            return redirect("dashboard")
        if request.method == "POST":
            actions.do_accept_invitation(invitation, request.user)
            request.session[SESSION_KEY] = invitation.organization_id
            messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
            return redirect("dashboard")
        return render(request, "organizations/invitation_accept.html", {"invitation": invitation})
    if existing is not None:
        messages.info(request, _("Log in as %(email)s to accept the invitation.") % {"email": invitation.email})
        return redirect(f"{reverse('account_login')}?next={request.path}")
    form = AcceptInvitationForm(request.POST or None, instance=User(email=invitation.email))
    if request.method == "POST" and form.is_valid():
        user = actions.do_join_by_invitation(invitation, form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = invitation.organization_id
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
        return redirect("dashboard")
    return render(request, "organizations/invitation_accept.html", {"invitation": invitation, "form": form})
