"""The integration error log: every feature's failures for good, for those who may read them
(organization admins all of them, HR admins those of employees and absences: see `error_log`),
with Retry and Dismiss."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizations.decorators import organization_required

from . import outbox
from .error_log import entries_for, readable_kinds
from .models import IntegrationError
from .subjects import named_objects


def _error_log_reader(view):
    """Those who may read some of the error log (see `error_log`); entries they may not read are a 404."""

    @organization_required()
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if readable_kinds(request.user, request.organization, request.membership) == ():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@_error_log_reader
def error_log(request):
    status = request.GET.get("status", IntegrationError.Status.OPEN)
    if status not in IntegrationError.Status.values:
        status = IntegrationError.Status.OPEN
    entries = (entries_for(request.user, request.organization, request.membership).filter(status=status)
               .select_related("content_type", "resolved_by").prefetch_related(named_objects())[:200])
    return render(request, "integrations/error_log.html", {"entries": entries, "status": status,
                                                           "statuses": IntegrationError.Status.choices})


def _open_error(request, pk) -> IntegrationError:
    return get_object_or_404(entries_for(request.user, request.organization, request.membership), pk=pk)


@_error_log_reader
@require_POST
def error_retry(request, pk):
    error = _open_error(request, pk)
    if not error.can_retry:
        messages.error(request, _("This entry cannot be retried (it is not open, or it came from a synchronisation: run that again)."))
    else:
        outbox.do_retry_error(error, acting_user=request.user)
        messages.success(request, _("Brygga is trying again."))
    return redirect("integration_errors")


@_error_log_reader
@require_POST
def error_dismiss(request, pk):
    error = _open_error(request, pk)
    if error.status != IntegrationError.Status.OPEN:
        messages.error(request, _("This entry is no longer open."))
    else:
        outbox.do_dismiss_error(error, acting_user=request.user)
        messages.success(request, _("The entry was dismissed."))
    return redirect("integration_errors")
