"""The absence's Fortnox state (polled by htmx while a transfer runs) and the backfill page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_POST

from hr.models import Absence
from hr.outside import render_state
from integrations.core.models import SyncRun
from integrations.hr_sync.models import HrIntegrationSettings
from organizations.decorators import organization_required
from organizations.permissions import Perm, user_can

from .actions import BACKFILL_KIND, backfill_candidates, backfill_progress, do_backfill, do_send_again
from .forms import BackfillForm
from .state import fortnox_state


def _absence(request, pk) -> Absence:
    return get_object_or_404(Absence.objects.for_organization(request.organization).with_related(), pk=pk)


@organization_required(Perm.MANAGE_HR)
def absence_state(request, pk):
    return render(request, "integrations/_absence_state.html", {"absence": _absence(request, pk)})


@organization_required(Perm.REQUEST_ABSENCE)
def absence_badge(request, pk):
    """The absence's state as the lists show it (polled while it is on its way): for HR admins,
    and for the person whose absence it is."""
    absence = _absence(request, pk)
    manage = user_can(request.user, request.organization, Perm.MANAGE_HR, request.membership)
    if not manage and absence.employee.user_id != request.user.pk:
        raise PermissionDenied
    return render_state(request, fortnox_state(absence), manage=manage)


@organization_required(Perm.MANAGE_HR)
@require_POST
def absence_retry(request, pk):
    absence = _absence(request, pk)
    do_send_again(absence, acting_user=request.user)
    messages.success(request, _("The absence is on its way to Fortnox again."))
    return redirect("hr:absence_edit", pk)


@organization_required(Perm.MANAGE_SETTINGS)
def backfill(request):
    """GET with a period: the preview; POST with the same period: send them."""
    settings = HrIntegrationSettings.get_or_create_for(request.organization)
    if not (settings.is_active and settings.create_absences):
        messages.error(request, _("Turn on “Create absence in Fortnox when added in Brygga” and finish the set-up first."))
        return redirect("hr_integration")
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = BackfillForm(data)
    if request.method == "POST" and form.is_valid():
        run = do_backfill(request.organization, form.cleaned_data["start"], form.cleaned_data["end"], settings=settings,
                          acting_user=request.user)
        messages.success(request, ngettext(
            "%(count)d absence is being sent to Fortnox.", "%(count)d absences are being sent to Fortnox.", run.progress_total,
        ) % {"count": run.progress_total})
        return redirect("absence_backfill_run", run.pk)
    preview = None
    if form.is_bound and form.is_valid():
        preview = backfill_candidates(request.organization, form.cleaned_data["start"], form.cleaned_data["end"],
                                      settings=settings)
    return render(request, "integrations/absence_backfill.html", {"form": form, "preview": preview})


@organization_required(Perm.MANAGE_SETTINGS)
def backfill_run(request, pk):
    """A backfill's progress, live while its absences are sent, then its result."""
    run = get_object_or_404(SyncRun.objects.for_organization(request.organization).filter(kind=BACKFILL_KIND), pk=pk)
    backfill_progress(run)
    template = "integrations/_run_progress.html" if request.htmx else "integrations/absence_backfill_run.html"
    return render(request, template, {"run": run})
