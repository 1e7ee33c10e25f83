"""The HR integration's pages: the integrations list, the Fortnox HR page with its wizard
(set up → settings → map absence types → synchronise users) and runs with live progress. Only
people with the organization-wide settings permission get here, except to an employee's Fortnox
badge and its Retry (HR admins)."""

import hashlib
import json

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from hr.models import AbsenceType, Employee
from hr.outside import render_state
from integrations.connection import views as connection_views
from integrations.core import outbox
from integrations.core.models import ExternalLink, FortnoxConnection, SyncRun
from integrations.fortnox.errors import FortnoxError
from organizations.decorators import organization_required
from organizations.permissions import Perm, user_can

from . import (
    absences,
    apply as hr_apply,
    fields as hr_fields,
    plan as hr_plan,
    pull as hr_pull,
    setup as hr_setup,
    state as hr_state,
)
from .forms import HrSettingsForm, MappingForm, TermsForm, decisions_from
from .links import EMPLOYEE_LINK
from .models import AbsenceTypeMapping, EmployeeConflict, HrIntegrationSettings

TABS = ("how", "features", "fields", "licence")
STEPS = (("hr_setup", gettext_lazy("Set up")), ("hr_settings", gettext_lazy("Settings")),
         ("hr_mapping", gettext_lazy("Map absence types")), ("hr_sync", gettext_lazy("Synchronise users")))
manage_settings = organization_required(Perm.MANAGE_SETTINGS)


def _posted(request):
    """The POST data, or None for a GET: an empty POST (all boxes unticked) must still bind."""
    return request.POST if request.method == "POST" else None


def _state(request):
    return HrIntegrationSettings.get_or_create_for(request.organization), FortnoxConnection.existing_or_unsaved(request.organization)


def _wizard(request, template, context, step):
    settings, connection = context["settings"], context["connection"]
    steps = [(name, label) for name, label in STEPS if name != "hr_mapping" or settings.create_absences]
    names = [name for name, _label in steps]
    index = names.index(step)
    context.update(steps=steps, step=step, back=names[index - 1] if index else "hr_integration",
                   resume=hr_setup.next_step(settings, connection))
    return render(request, template, context)


@manage_settings
def integrations_index(request):
    return render(request, "integrations/index.html", {"connection": FortnoxConnection.existing_or_unsaved(request.organization),
                                                       "settings": HrIntegrationSettings.get_or_create_for(request.organization)})


@manage_settings
def hr_integration(request):
    settings, connection = _state(request)
    tab = request.GET.get("tab", "how")
    if tab not in TABS:
        tab = "how"
    runs = SyncRun.objects.for_organization(request.organization).filter(kind=hr_plan.RUN_KIND).select_related("started_by")[:10]
    last_pull = hr_pull.last_pull(request.organization)
    new_ids = {person["external_id"] for person in (last_pull.data.get("new_people", []) if last_pull else [])}
    added = set(ExternalLink.objects.filter(organization=request.organization, kind=EMPLOYEE_LINK, external_id__in=new_ids)
                .values_list("external_id", flat=True))
    came_in = [(change["name"], [hr_fields.BY_NAME[name].label for name in change["fields"] if name in hr_fields.BY_NAME])
               for change in (last_pull.data.get("came_in", []) if last_pull else [])]
    return render(request, "integrations/hr_integration.html", {
        "last_pull": last_pull, "came_in": came_in, "new_people": [p for p in (last_pull.data.get("new_people", []) if last_pull else [])
                                               if p["external_id"] not in added],
        "open_conflicts": EmployeeConflict.objects.for_organization(request.organization).open().count(),
        "settings": settings, "connection": connection, "tab": tab, "tabs": TABS, "runs": runs,
        "fields": hr_fields.FIELDS, "resume": hr_setup.next_step(settings, connection),
    })


@manage_settings
def hr_setup_step(request):
    settings, connection = _state(request)
    form = TermsForm(_posted(request), initial={"accept": settings.terms_accepted_at is not None})
    if request.method == "POST" and form.is_valid():
        hr_setup.do_accept_terms(settings, acting_user=request.user)
        response = connection_views._start_authorization(request, request.organization)
        # Come back to the wizard, not to the connection page, once Fortnox has answered.
        request.session[connection_views.OAUTH_SESSION_KEY].update(next=reverse("hr_settings"), retry=reverse("hr_setup"))
        request.session.modified = True
        return response
    return _wizard(request, "integrations/hr_setup.html", {
        "settings": settings, "connection": connection, "form": form,
        "service_accounts": django_settings.FORTNOX_SERVICE_ACCOUNTS}, "hr_setup")


@manage_settings
def hr_settings_step(request):
    settings, connection = _state(request)
    if not connection.is_connected:
        return redirect("hr_setup")
    form = HrSettingsForm(_posted(request), instance=settings)
    if request.method == "POST" and form.is_valid():
        hr_setup.do_save_hr_settings(settings, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        messages.success(request, _("The integration settings were saved."))
        return redirect("hr_mapping" if settings.create_absences else "hr_sync")
    return _wizard(request, "integrations/hr_settings.html", {"settings": settings, "connection": connection, "form": form}, "hr_settings")


@manage_settings
def hr_mapping_step(request):
    settings, connection = _state(request)
    if not settings.create_absences:
        messages.info(request, _("Absences are not transferred, so there is nothing to map. Turn it on under Settings first."))
        return redirect("hr_settings")
    absence_types = list(AbsenceType.objects.for_organization(request.organization).filter(active=True))
    mappings = {m.absence_type_id: m for m in AbsenceTypeMapping.objects.for_organization(request.organization)}
    form = MappingForm(_posted(request), absence_types=absence_types, mappings=mappings)
    context = {"settings": settings, "connection": connection, "form": form}
    if request.method == "POST" and form.is_valid():
        remappings = absences.transfers().remappings(request.organization, mappings, form.cause_codes())
        choice = request.POST.get("old_transactions")
        if remappings and choice not in ("move", "leave"):  # say what stays in Fortnox before saving
            return _wizard(request, "integrations/hr_mapping.html", {**context, "remappings": remappings}, "hr_mapping")
        move = [r for r in remappings if r.new_code] if choice == "move" else []
        hr_setup.do_save_mapping(settings, form.cause_codes(), move=move)
        messages.success(request, _("The absence types are mapped."))
        if move:
            messages.info(request, _("The transactions under the old cause codes are being moved in Fortnox."))
        return redirect("hr_sync")
    return _wizard(request, "integrations/hr_mapping.html", context, "hr_mapping")


@manage_settings
def hr_sync_step(request):
    settings, connection = _state(request)
    if not connection.is_connected:
        messages.warning(request, _("Connect Fortnox first."))
        return redirect("hr_setup")
    if request.method == "POST":
        if running := hr_apply.running_user_sync(request.organization):
            messages.info(request, _("A user synchronisation is already running; here it is."))
            return redirect("hr_sync_run", running.pk)
        try:
            run = hr_plan.do_plan_user_sync(request.organization, acting_user=request.user)
        except FortnoxError as error:
            messages.error(request, error.user_message)
            return redirect("hr_sync")
        return redirect("hr_sync_review", run.pk)
    return _wizard(request, "integrations/hr_sync.html", {"settings": settings, "connection": connection}, "hr_sync")


def _run(request, pk) -> SyncRun:
    return get_object_or_404(SyncRun.objects.for_organization(request.organization).filter(
        kind__in=[hr_plan.RUN_KIND, hr_pull.RUN_KIND]), pk=pk)


@manage_settings
def hr_sync_review(request, pk):
    """GET: the conflict page. POST: what the choices would do (totals, and which specific choice
    overrides a general one), with Apply; Apply starts the run only if the choices are still the
    ones that summary showed, so nothing is applied that the admin has not seen summed up."""
    run = _run(request, pk)
    if run.status != SyncRun.Status.PLANNED or run.kind != hr_plan.RUN_KIND:
        return redirect("hr_sync_run", run.pk)
    plan = run.data["plan"]
    context = {"run": run, "errors": [], "posted": None}
    if request.method == "POST":
        decisions, errors, overrides = decisions_from(plan, request.POST)
        digest = _digest(decisions)
        if not errors and request.POST.get("apply") == digest:
            try:
                hr_apply.do_start_user_sync(run, decisions)
            except hr_apply.UserSyncRefused as refused:
                messages.info(request, str(refused.message))
                return redirect("hr_sync_run", refused.running.pk) if refused.running else redirect("hr_sync")
            return redirect("hr_sync_run", run.pk)
        if not errors and request.POST.get("apply"):
            messages.warning(request, _("The choices changed after the summary was shown: check the new summary, then apply."))
        context.update(posted=request.POST, errors=errors, everyone=request.POST.get("all", ""))
        if not errors:
            context.update(outcome=hr_plan.outcome_of(plan, decisions), overrides=overrides, digest=digest)
    context["sections"] = {section: [_shown(p, context["posted"]) for p in plan["people"] if p["section"] == section]
                           for section in ("match", "only_fortnox", "only_brygga", "unmatchable")}
    context["any_without_schedule"] = any(person["without_schedule"] for person in context["sections"]["only_brygga"])
    return render(request, "integrations/hr_sync_review.html", context)


def _digest(decisions: dict) -> str:
    return hashlib.sha256(json.dumps(decisions, sort_keys=True).encode()).hexdigest()[:16]


def _shown(person: dict, posted) -> dict:
    """A plan entry with the rows the conflict page shows, values as people read them, and the
    choices as last posted (`posted` None: nothing chosen yet, missing values ticked)."""
    key = person["key"]
    data = posted or {}

    def row(name, **extra):
        field = hr_fields.BY_NAME[name]
        return {"field": name, "label": field.label, "brygga": field.shown(person["brygga"].get(name, "")),
                "fortnox": field.shown(person["fortnox"].get(name, "")), **extra}

    shown = {
        **person,
        "chosen": data.get(f"person-{key}", ""),
        "create_ticked": bool(data.get(f"create-{key}")),
        "conflict_rows": [row(name, chosen=data.get(f"field-{key}-{name}", "")) for name in person.get("conflicts", [])],
        "missing_rows": [row(item["field"], source=item["from"],
                             ticked=posted is None or bool(data.get(f"fill-{key}-{item['field']}")))
                         for item in person.get("missing", [])],
        "automatic_rows": [row(name, source=side) for side in ("brygga", "fortnox")
                           for name in person.get("automatic", {}).get(side, [])],
        "email": person["brygga"].get("email") or person["fortnox"].get("email", ""),
        # Created in Fortnox without a schedule, a person gets Fortnox's 0-hour one.
        "without_schedule": person["section"] == "only_brygga" and not person["brygga"].get("schedule"),
    }
    # The person's name spans their own row and one row per field shown under it.
    shown["rowspan"] = 1 + len(shown["conflict_rows"]) + len(shown["missing_rows"]) + len(shown["automatic_rows"])
    return shown


@manage_settings
def hr_sync_run(request, pk):
    run = _run(request, pk)
    template = "integrations/_run_progress.html" if request.htmx else "integrations/hr_sync_run.html"
    return render(request, template, {"run": run})


# HR admins: an employee's Fortnox state (polled while a change is on its way) and its Retry


def _employee(request, pk) -> Employee:
    return get_object_or_404(Employee.objects.for_organization(request.organization), pk=pk)


@organization_required(Perm.MANAGE_HR)
def employee_fortnox_badge(request, pk):
    return render_state(request, hr_state.employee_state(_employee(request, pk)), manage=True)


@organization_required(Perm.MANAGE_HR)
@require_POST
def employee_fortnox_retry(request, pk):
    employee = _employee(request, pk)
    for error in hr_state.open_employee_errors(employee):
        if error.can_retry:
            outbox.do_retry_error(error, acting_user=request.user)
    messages.success(request, _("The changes to %(name)s are on their way to Fortnox again.") % {"name": employee})
    return redirect("hr:employee_detail", pk)


# --- Fortnox → Brygga by itself: the conflicts inbox and the people new in Fortnox ---------------

manage_hr = organization_required(Perm.MANAGE_HR)


@manage_hr
def hr_conflicts(request):
    """Fields changed on both sides since they last agreed, by person; nothing is overwritten
    until someone keeps one of the values (one field, or all of a person's at once)."""
    conflicts = list(EmployeeConflict.objects.for_organization(request.organization).open().select_related("employee"))
    people = {}
    for conflict in conflicts:
        field = hr_fields.BY_NAME.get(conflict.field)
        conflict.label = field.label if field else conflict.field
        conflict.brygga_shown = field.shown(conflict.brygga_value) if field else conflict.brygga_value
        conflict.fortnox_shown = field.shown(conflict.fortnox_value) if field else conflict.fortnox_value
        people.setdefault(conflict.employee_id, {"employee": conflict.employee, "conflicts": []})["conflicts"].append(conflict)
    return render(request, "integrations/hr_conflicts.html", {
        "people": list(people.values()), "last_pull": hr_pull.last_pull(request.organization),
        "manages_settings": user_can(request.user, request.organization, Perm.MANAGE_SETTINGS),
    })


def _keep(request) -> str | None:
    keep = request.POST.get("keep")
    return keep if keep in (EmployeeConflict.BRYGGA, EmployeeConflict.FORTNOX) else None


@require_POST
@manage_hr
def hr_conflict_resolve(request, pk):
    conflict = get_object_or_404(EmployeeConflict.objects.for_organization(request.organization).select_related("employee"), pk=pk)
    keep = _keep(request)
    if keep is None:
        return redirect("hr_conflicts")
    try:
        hr_pull.do_resolve_conflict(conflict, keep, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Fortnox's value was taken.") if keep == EmployeeConflict.FORTNOX
                         else _("Brygga's value was kept and is sent to Fortnox."))
    return redirect("hr_conflicts")


@require_POST
@manage_hr
def hr_conflicts_resolve_person(request, employee_pk):
    employee = get_object_or_404(Employee.objects.for_organization(request.organization), pk=employee_pk)
    keep = _keep(request)
    if keep is None:
        return redirect("hr_conflicts")
    try:
        count = hr_pull.do_resolve_person(request.organization, employee.pk, keep, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, ngettext("%(count)s conflict of %(name)s resolved.", "%(count)s conflicts of %(name)s resolved.",
                                           count) % {"count": count, "name": employee})
    return redirect("hr_conflicts")


@require_POST
@manage_settings
def hr_pull_now(request):
    if hr_pull.do_pull_now(request.organization, acting_user=request.user) is None:
        messages.info(request, _("Fortnox is being read already."))
    else:
        messages.success(request, _("Fortnox is being read; the result shows here in a moment."))
    return redirect("hr_integration")


@require_POST
@manage_settings
def hr_add_from_fortnox(request):
    try:
        employee = hr_pull.do_add_from_fortnox(request.organization, request.POST.get("external_id", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except FortnoxError as error:
        messages.error(request, error.user_message)
    else:
        messages.success(request, _("%(name)s was added to Brygga.") % {"name": employee})
    return redirect("hr_integration")
