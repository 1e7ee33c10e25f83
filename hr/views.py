import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from organizations.decorators import organization_required
from organizations.permissions import Perm, user_can

from . import actions, outside
from .forms import (
    AbsenceFilterForm,
    AbsenceForm,
    EmployeeFilterForm,
    EmployeeForm,
    ManagerOptionsForm,
    RegisterAbsenceForm,
    manager_options_context,
)
from .models import Absence, AbsenceStatus, Employee

PAGE_SIZE = 50


def _employees(request):
    return Employee.objects.for_organization(request.organization)


def _absences(request):
    return Absence.objects.for_organization(request.organization).with_related()


def _own_employee(request):
    return _employees(request).filter(user=request.user).select_related("manager").first()


def _save(request, form, write, success_message):
    """Runs an action on a valid form; the action validates again under a lock (e.g. overlaps
    with an absence saved meanwhile), and what it refuses goes back onto the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write()
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(request, success_message % {"name": result})
    _tell_if_waiting(request, result)
    return result


def _tell_if_waiting(request, obj) -> None:
    """Said at the moment of saving: a change a tracking system (Fortnox) cannot receive now waits."""
    for notice in outside.waiting_notices("employee" if isinstance(obj, Employee) else "absence", obj):
        messages.warning(request, notice)


def _form_values(form):
    return {name: form.cleaned_data[name] for name in form._meta.fields}


# HR admins: employees


def _page_with_states(request, kind, objects):
    """A page of the list, each object with its state in the systems it is sent to."""
    page = Paginator(objects, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = outside.attach_states(kind, page.object_list)
    return page, any(obj.outside_states for obj in page.object_list)


@organization_required(Perm.MANAGE_HR)
def employee_list(request):
    filters = EmployeeFilterForm(request.GET, organization=request.organization)
    page, transferred = _page_with_states(request, "employee", filters.filter(_employees(request).select_related("manager")))
    return render(request, "hr/employee_list.html", {"filters": filters, "page": page, "transferred": transferred})


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell a spreadsheet would run as a formula (=HYPERLINK(...), +, -, @, or hidden behind
    a tab or carriage return) gets a leading apostrophe, so it is shown as the text it is. Names
    and addresses come from people and from Fortnox; neither is trusted to be harmless."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@organization_required(Perm.MANAGE_HR)
def employee_export(request):
    filters = EmployeeFilterForm(request.GET, organization=request.organization)
    employees = filters.filter(_employees(request).select_related("manager", "user")).order_by("employment_id")
    columns = [
        ("employment_id", _("Employment ID")), ("given_name", _("Given name")), ("family_name", _("Family name")),
        ("email", _("Email")), ("phone", _("Phone")), ("street", _("Street address")),
        ("postal_code", _("Postal code")), ("city", _("City")), ("country", _("Country")),
        ("clearing_number", _("Clearing number")), ("account_number", _("Account number")),
        ("employment_start", _("Employment start")), ("employment_end", _("Employment end")),
        ("personal_identity_number", _("Personal identity number")), ("job_title", _("Job title")),
        ("employment_form", _("Employment form")), ("salary_form", _("Salary form")),
        ("personnel_type", _("Personnel type")), ("tax_table", _("Tax table")), ("tax_column", _("Tax column")),
        ("schedule", _("Working-time schedule")), ("manager", _("Manager")),
        ("user", _("User account")), ("active", _("Active")),
    ]

    def cell(employee, field):
        if field == "manager":
            return employee.manager.employment_id if employee.manager else ""
        if field == "user":
            return employee.user.email if employee.user else ""
        value = getattr(employee, field)
        return "" if value is None else value

    class Echo:
        def write(self, value):
            return value

    def lines():
        writer = csv.writer(Echo())
        # The byte order mark makes Excel read the file as UTF-8 (åäö intact).
        yield "\ufeff" + writer.writerow([str(label) for _field, label in columns])
        for employee in employees.iterator(chunk_size=2000):
            yield writer.writerow([spreadsheet_safe(cell(employee, field)) for field, _label in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="employees-{timezone.localdate().isoformat()}.csv"'
    return response


@organization_required(Perm.MANAGE_HR)
def employee_create(request):
    form = EmployeeForm(request.POST or None, instance=Employee(organization=request.organization))
    employee = _save(
        request, form,
        lambda: actions.do_create_employee(request.organization, _form_values(form), acting_user=request.user),
        _("%(name)s was added."),
    )
    if employee:
        return redirect("hr:employee_detail", employee.pk)
    return render(request, "hr/employee_form.html", {"form": form})


@organization_required(Perm.MANAGE_HR)
def employee_edit(request, pk):
    employee = get_object_or_404(_employees(request), pk=pk)
    form = EmployeeForm(request.POST or None, instance=employee)
    saved = _save(
        request, form,
        lambda: actions.do_update_employee(employee, _form_values(form), acting_user=request.user),
        _("The changes to %(name)s were saved."),
    )
    if saved:
        return redirect("hr:employee_detail", pk)
    return render(request, "hr/employee_form.html", {"form": form, "employee": employee})


@organization_required(Perm.MANAGE_HR)
def manager_options(request):
    """The employee form's manager options for what was typed into its search (htmx swaps them
    into the <select>)."""
    query = ManagerOptionsForm(request.GET)
    if not query.is_valid():
        return HttpResponseBadRequest(query.errors.as_text(), content_type="text/plain; charset=utf-8")
    candidates = Employee.objects.possible_managers(
        request.organization, of=query.cleaned_data["exclude"], current=query.cleaned_data["manager"])
    return render(request, "hr/_manager_options.html", manager_options_context(
        candidates, query.cleaned_data["manager"], query.cleaned_data["q"],
    ))


@organization_required(Perm.MANAGE_HR)
def employee_detail(request, pk):
    employee = get_object_or_404(_employees(request).select_related("manager", "user"), pk=pk)
    outside.attach_states("employee", [employee])
    return render(request, "hr/employee_detail.html", {
        "employee": employee,
        "absences": outside.attach_states("absence", employee.absences.select_related("absence_type", "decided_by")[:100]),
        "reports": employee.reports.all()[:100],
        "history": employee.change_records.select_related("changed_by")[:200],
    })


@organization_required(Perm.MANAGE_HR)
@require_POST
def employee_deactivate(request, pk):
    employee = get_object_or_404(_employees(request), pk=pk)
    if not employee.active:
        messages.info(request, _("%(name)s is already inactive.") % {"name": employee})
    else:
        actions.do_deactivate_employee(employee, acting_user=request.user)
        messages.success(request, _("%(name)s was deactivated.") % {"name": employee})
        _tell_if_waiting(request, employee)
    return redirect("hr:employee_detail", pk)


# HR admins: absences


@organization_required(Perm.MANAGE_HR)
def absence_list(request):
    filters = AbsenceFilterForm(request.GET, organization=request.organization)
    page, transferred = _page_with_states(request, "absence", filters.filter(_absences(request)))
    return render(request, "hr/absence_list.html", {"filters": filters, "page": page, "transferred": transferred})


@organization_required(Perm.MANAGE_HR)
def absence_register(request, pk):
    employee = get_object_or_404(_employees(request), pk=pk)
    form = RegisterAbsenceForm(
        request.POST or None, instance=Absence(organization=request.organization, employee=employee),
    )
    absence = _save(
        request, form,
        lambda: actions.do_register_absence(
            employee, _form_values(form), acting_user=request.user, approved=form.cleaned_data["approved"],
        ),
        _("The absence %(name)s was registered."),
    )
    if absence:
        return redirect("hr:employee_detail", pk)
    return render(request, "hr/absence_form.html", {"form": form, "employee": employee})


@organization_required(Perm.MANAGE_HR)
def absence_edit(request, pk):
    absence = get_object_or_404(_absences(request), pk=pk)
    form = AbsenceForm(request.POST or None, instance=absence)
    saved = _save(
        request, form,
        lambda: actions.do_update_absence(absence, _form_values(form), acting_user=request.user),
        _("The absence %(name)s was saved."),
    )
    if saved:
        return redirect("hr:employee_detail", saved.employee_id)
    return render(request, "hr/absence_form.html", {
        "form": form, "employee": absence.employee, "absence": absence,
        "history": absence.change_records.select_related("changed_by"),
    })


@organization_required(Perm.MANAGE_HR)
def absence_delete(request, pk):
    """GET: what deleting it does (in the systems it was sent to too), and a button; POST: delete."""
    absence = get_object_or_404(_absences(request), pk=pk)
    if request.method != "POST":
        outside.attach_states("absence", [absence])
        return render(request, "hr/absence_confirm_delete.html", {"absence": absence})
    employee_id = absence.employee_id
    actions.do_delete_absence(absence, acting_user=request.user)
    messages.success(request, _("The absence was deleted."))
    return redirect("hr:employee_detail", employee_id)


# Managers: decisions


@organization_required(Perm.APPROVE_ABSENCES)
def approvals(request):
    requested = _absences(request).filter(status=AbsenceStatus.REQUESTED).order_by("start_date", "pk")
    sees_all = user_can(request.user, request.organization, Perm.MANAGE_HR, request.membership)
    if not sees_all:
        requested = requested.filter(employee__manager__user=request.user)
    page = Paginator(requested, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hr/approvals.html", {"page": page, "sees_all": sees_all})


def _decision_view(decide, success_message):
    @organization_required(Perm.APPROVE_ABSENCES)
    @require_POST
    def view(request, pk):
        absence = get_object_or_404(_absences(request), pk=pk)
        if not absence.can_be_decided_by(request.user, request.membership):
            raise PermissionDenied
        try:
            decided = decide(absence, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("hr:approvals")
        names = {"name": absence.employee, "absence": absence.absence_type}
        if decided.decided_by_id in (None, request.user.pk):
            messages.success(request, success_message % names)
            _tell_if_waiting(request, decided)
        else:  # someone else made the same decision first: it stands, and is theirs
            messages.info(request, _("%(absence)s for %(name)s was already %(status)s by %(person)s.") % {
                **names, "status": decided.get_status_display().lower(), "person": decided.decided_by,
            })
        return redirect("hr:approvals")

    return view


# Lazy: these are made once, at import, and must be worded in each request's language.
absence_approve = _decision_view(actions.do_approve_absence, gettext_lazy("%(absence)s for %(name)s was approved."))
absence_reject = _decision_view(actions.do_reject_absence, gettext_lazy("%(absence)s for %(name)s was rejected."))


# Everyone with an employee record: own absences


@organization_required(Perm.REQUEST_ABSENCE)
def my_absences(request):
    employee = _own_employee(request)
    if employee is None:
        return render(request, "hr/my_absences.html", {"employee": None})
    form = AbsenceForm(request.POST or None, instance=Absence(organization=request.organization, employee=employee))
    absence = _save(
        request, form,
        lambda: actions.do_request_absence(employee, _form_values(form), acting_user=request.user),
        _("Your absence %(name)s was saved."),
    )
    if absence:
        return redirect("hr:my_absences")
    page, _transferred = _page_with_states(request, "absence", employee.absences.select_related("absence_type", "decided_by"))
    return render(request, "hr/my_absences.html", {"employee": employee, "form": form, "page": page})


@organization_required(Perm.REQUEST_ABSENCE)
@require_POST
def absence_cancel(request, pk):
    """The employee's own absence, or any for an HR admin (the action refuses everyone else)."""
    absence = get_object_or_404(_absences(request), pk=pk)
    try:
        actions.do_cancel_absence(absence, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(absence)s for %(name)s was cancelled.") % {
            "absence": absence.absence_type, "name": absence.employee,
        })
        _tell_if_waiting(request, absence)
    if absence.employee.user_id == request.user.pk:
        return redirect("hr:my_absences")
    return redirect("hr:employee_detail", absence.employee_id)

