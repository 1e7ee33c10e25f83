"""Fortnox → Brygga by itself: a scheduled pull per organization reads Fortnox's employee list
(every synced field is in it: ⌈employees / 500⌉ calls) and compares each linked person three
ways with the values both sides last agreed on (`ExternalLink.last_synced_values`), field by
field over the synced-field registry (`fields.FIELDS`, so new fields take part by themselves):

- changed in Fortnox only → applied through `hr` actions with origin "external" and source
  "Fortnox" (not pushed back; the history says "changed in Fortnox");
- changed on both sides, differently → an `EmployeeConflict`; nothing is written on either side
  until someone resolves it (per field or per person);
- changed in Brygga only → left to the outbox, which pushes it;
- a person new in Fortnox → listed on the HR integration page (or added, when the settings say
  so); a person made inactive in Fortnox without an end date → Brygga's employment end follows.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hr import actions as hr_actions
from hr.models import ChangeRecord, Employee
from integrations.core import outbox, personal_data
from integrations.core.jobs import in_organization_language
from integrations.core.models import (
    CONFLICT,
    REMOTE_CHANGED,
    SAME,
    ExternalLink,
    FortnoxConnection,
    OutboxEvent,
    SyncRun,
    compare_three_way,
)
from integrations.fortnox.client import CallCounter
from integrations.fortnox.errors import FortnoxError
from organizations.actions import do_notify
from organizations.permissions import Perm
from organizations.stored_text import StoredText, gettext_noop

from . import fields as hr_fields
from .links import EMPLOYEE_LINK, link_employee
from .models import EmployeeConflict, HrIntegrationSettings
from .plan import RUN_KIND as USER_SYNC_KIND

log = logging.getLogger("integrations.hr_sync")

RUN_KIND = "hr_pull"
RUN_TASK = "integrations.hr_sync.pull.execute_pull"
SCHEDULED_TASK = "integrations.hr_sync.pull.scheduled_pull"
SOURCE = "Fortnox"
# Whether Fortnox had the person inactive at the last read (beside the synced fields in the link's
# last synced values): only a change to inactive ends the employment, not one Brygga never saw happen.
INACTIVE = "fortnox_inactive"
# A run that never finished within this had its worker die: it no longer blocks the next one.
STALE_RUN = SyncRun.LOST_AFTER


# --- the schedule -----------------------------------------------------------------------------


def do_update_pull_schedule(settings: HrIntegrationSettings) -> None:
    """One django-q2 schedule per organization, there exactly while the integration is active
    and the pull switched on."""
    from django_q.models import Schedule

    if not (settings.is_active and settings.pull_enabled):
        Schedule.objects.filter(name=settings.pull_schedule_name).delete()
        return
    Schedule.objects.update_or_create(name=settings.pull_schedule_name, defaults={
        "func": SCHEDULED_TASK, "args": repr((settings.organization_id,)), "schedule_type": Schedule.MINUTES,
        "minutes": settings.pull_interval_minutes, "repeats": -1,
    })


def ensure_pull_schedules(**kwargs) -> None:
    """post_migrate: every organization with an active HR integration has its pull's schedule
    (those activated before the pull existed too)."""
    for settings in HrIntegrationSettings.objects.filter(activated_at__isnull=False, pull_enabled=True):
        do_update_pull_schedule(settings)


def busy_runs(organization):
    """Pulls and user synchronisations queued or going (a pull beside an applying synchronisation
    would compare against links it is rewriting)."""
    return SyncRun.objects.for_organization(organization).filter(
        kind__in=[RUN_KIND, USER_SYNC_KIND], status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
        created_at__gte=timezone.now() - STALE_RUN,
    )


def do_queue_pull(organization, *, trigger, acting_user=None) -> SyncRun | None:
    """A queued pull, or None when one (or a user synchronisation) is already going."""
    with transaction.atomic():
        # The settings row is the organization's lock: two schedulers racing cannot both queue.
        HrIntegrationSettings.objects.select_for_update().get_or_create(organization=organization)
        if busy_runs(organization).exists():
            return None
        return SyncRun.objects.create(organization=organization, kind=RUN_KIND, trigger=trigger, started_by=acting_user)


def do_pull_now(organization, *, acting_user) -> SyncRun | None:
    from django_q.tasks import async_task

    run = do_queue_pull(organization, trigger=SyncRun.Trigger.MANUAL, acting_user=acting_user)
    if run is not None:
        transaction.on_commit(lambda: async_task(RUN_TASK, run.pk, group="fortnox-hr-pull"))
    return run


def scheduled_pull(organization_id: int) -> int | None:
    """The schedule's job (already on a worker): queue a pull and do it here."""
    settings = HrIntegrationSettings.objects.select_related("organization").filter(organization_id=organization_id).first()
    if settings is None or not (settings.is_active and settings.pull_enabled):
        return None
    if not FortnoxConnection.objects.filter(organization_id=organization_id, status=FortnoxConnection.Status.CONNECTED).exists():
        return None  # disconnected or waiting for re-authorisation: nothing to read with
    run = do_queue_pull(settings.organization, trigger=SyncRun.Trigger.SCHEDULED)
    if run is None:
        log.info("HR pull of organization %s skipped: a run is still going", organization_id)
        return None
    execute_pull(run.pk)
    return run.pk


# --- the run ----------------------------------------------------------------------------------


@in_organization_language
def execute_pull(run_id: int) -> str:
    if not SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
            status=SyncRun.Status.RUNNING, heartbeat_at=timezone.now()):
        return "already taken"
    run = SyncRun.objects.select_related("organization").get(pk=run_id)
    organization = run.organization
    settings = HrIntegrationSettings.get_or_create_for(organization)
    counter = CallCounter()
    run.start(0)
    try:
        with FortnoxConnection.client_for(organization, call_counter=counter) as client:
            documents = {str(document["EmployeeId"]): document for document in client.iterate("/3/employees")
                         if isinstance(document, dict) and document.get("EmployeeId") not in (None, "")}
    except FortnoxError as error:
        run.api_calls = counter.total
        run.save(update_fields=["api_calls"])
        run.finish(SyncRun.Status.FAILED, error=StoredText(gettext_noop("Fortnox could not be read: %(reason)s"),
                                                           reason=error.user_message))
        return run.status
    run.api_calls = counter.total
    run.progress_total = len(documents)
    run.save(update_fields=["api_calls", "progress_total"])
    run.append_log(StoredText(gettext_noop("Read %(count)s Fortnox employees in %(calls)s calls."),
                              count=len(documents), calls=counter.total))

    links = {link.external_id: link for link in ExternalLink.links_for(organization, EMPLOYEE_LINK, Employee)}
    employees = Employee.objects.for_organization(organization).in_bulk([link.object_id for link in links.values()])
    open_conflicts = {(conflict.employee_id, conflict.field): conflict
                      for conflict in EmployeeConflict.objects.for_organization(organization).open()}
    in_flight = values_in_flight(organization, list(employees))
    new_conflicts, came_in, new_people = 0, [], []
    for external_id, document in documents.items():
        link = links.get(external_id)
        employee = employees.get(link.object_id) if link is not None else None
        if employee is None:
            if link is None and not document.get("Inactive"):
                new_people.append(external_id)
            run.advance()
            continue
        try:
            outcome, found = _compare_person(run, employee, link, document, open_conflicts, in_flight.get(employee.pk, {}))
        except ValidationError as error:
            run.append_log(StoredText(gettext_noop("%(name)s: Fortnox's change not taken — %(reason)s"),
                                      name=str(employee), reason=" ".join(error.messages)))
            run.advance("failed")
            continue
        new_conflicts += found
        if outcome:
            came_in.append({"name": str(employee), "fields": outcome})
            run.append_log(StoredText(gettext_noop("%(name)s: changed in Fortnox — %(fields)s"), name=str(employee),
                                      fields=StoredText.each_language(_labels, outcome)))
        run.advance("updated" if outcome else None)
    listed = _new_people(run, settings, documents, new_people)
    run.counts = {**run.counts, "conflicts": new_conflicts, "new_in_fortnox": len(listed)}
    run.data = {"came_in": came_in, "new_people": listed}
    run.save(update_fields=["counts", "data"])
    if new_conflicts:
        transaction.on_commit(lambda: notify_conflicts(organization, new_conflicts))
    run.append_log(StoredText(gettext_noop("Done: %(calls)s Fortnox calls."), calls=counter.total))
    run.finish()
    return run.status


def _labels(names) -> str:
    return ", ".join(str(hr_fields.BY_NAME[name].label) for name in names)


def _compare_person(run, employee, link, document, open_conflicts, in_flight) -> tuple[list[str], int]:
    """Apply what changed in Fortnox only, record what changed on both sides; returns the fields
    taken from Fortnox and how many new conflicts were found. A field Fortnox holds a value of
    Brygga's own unconfirmed push for (`values_in_flight`) is left to that push."""
    remote, unreadable = hr_fields.fortnox_values(document)
    local = hr_fields.employee_values(employee)
    last = dict(link.last_synced_values)
    # Compared as the link keeps them (a personal identity number as its fingerprint).
    seen_local, seen_remote = personal_data.fingerprinted(local), personal_data.fingerprinted(remote)
    to_brygga, agreed, found = {}, {}, 0
    for field in hr_fields.FIELDS:
        name = field.name
        if name in unreadable or name not in remote or field is hr_fields.EMPLOYMENT_ID:
            continue
        open_conflict = open_conflicts.get((employee.pk, name))
        if open_conflict is not None:
            _refresh_conflict(open_conflict, local[name], remote[name])
            continue
        if name not in last:
            if local[name] == remote[name]:
                agreed[name] = local[name]
            continue  # never agreed: the user synchronisation's question, not the pull's
        state = compare_three_way(seen_local[name], last[name], seen_remote[name])
        if state in (REMOTE_CHANGED, CONFLICT) and remote[name] in in_flight.get(name, ()):
            continue
        if state == SAME and last[name] != seen_local[name]:
            agreed[name] = local[name]
        elif state == REMOTE_CHANGED:
            to_brygga[name] = remote[name]
        elif state == CONFLICT:
            conflict = record_conflict(employee, name, local[name], remote[name], found_by=run)
            if conflict is not None:
                open_conflicts[employee.pk, name] = conflict
                found += 1
    changes = hr_fields.employee_changes(to_brygga)
    end, inactive = "employment_end", bool(document.get("Inactive"))
    if inactive and last.get(INACTIVE) is False and not remote.get(end) and not local.get(end) \
            and end not in to_brygga and (employee.pk, end) not in open_conflicts:
        # Made inactive in Fortnox (since the last read) with no end date there: Brygga's employment ends today.
        changes["employment_end"] = timezone.localdate()
        to_brygga.setdefault(end, None)
    if last.get(INACTIVE) is not inactive:
        agreed[INACTIVE] = inactive
    if changes:
        _validate(employee, changes)
    with transaction.atomic():
        if changes:
            hr_actions.update_from_external(employee, changes, source=SOURCE)
        taken = {name: value for name, value in to_brygga.items() if not (name == end and value is None)}
        if taken or agreed:
            link.last_synced_values = {**last, **agreed, **taken}
            link.synced_at = timezone.now()
            link.save(update_fields=["last_synced_values", "synced_at"])
    return list(to_brygga), found


def values_in_flight(organization, employee_ids) -> dict[int, dict[str, list]]:
    """By employee and field, the values pushes still going (or waiting for a retry) have sent to
    Fortnox. Fortnox holding one of them is Brygga's own write whose answer never came back (a
    dropped connection), not a change made in Fortnox; the push decides, not a conflict. Values the
    outbox masks (personal identity number, bank account) never match: those stay conservative."""
    found: dict[int, dict[str, list]] = {}
    for object_id, payload in OutboxEvent.objects.filter(
            organization=organization, kind="employee_update", object_id__in=employee_ids,
            status__in=[OutboxEvent.Status.PENDING, OutboxEvent.Status.PROCESSING]).values_list("object_id", "payload"):
        for name, value in (payload.get("sent_values") or {}).items():
            found.setdefault(object_id, {}).setdefault(name, []).append(value)
    return found


def record_conflict(employee, name: str, local, remote, *, found_by=None) -> EmployeeConflict | None:
    """A field changed on both sides, differently, since they last agreed (found by a pull, or
    by a push that finds Fortnox changed the field it was about to send). None when the field's
    conflict is open already: a push and a pull going at once both found it, one records it."""
    try:
        with transaction.atomic():
            return EmployeeConflict.objects.create(
                organization_id=employee.organization_id, employee=employee, field=name, brygga_value=local,
                fortnox_value=remote, brygga_changed_at=_changed_in_brygga(employee, hr_fields.BY_NAME[name]),
                found_by=found_by,
            )
    except IntegrityError:
        return None


def _refresh_conflict(conflict, local, remote) -> None:
    """An open conflict shows both sides as they are now; it closes itself when they agree again."""
    if local == remote:
        conflict.resolved_at = timezone.now()
        conflict.save(update_fields=["resolved_at"])
        link = ExternalLink.link_of(conflict.employee, EMPLOYEE_LINK)
        if link is not None:
            link.last_synced_values = {**link.last_synced_values, conflict.field: local}
            link.save(update_fields=["last_synced_values"])
        return
    if (conflict.brygga_value, conflict.fortnox_value) != (local, remote):
        conflict.brygga_value, conflict.fortnox_value = local, remote
        conflict.save(update_fields=["brygga_value", "fortnox_value"])


def _changed_in_brygga(employee, field):
    model_fields = hr_fields.EMPLOYEE_FIELDS.get(field.name, (field.name,))
    return ChangeRecord.objects.filter(employee=employee, field_name__in=model_fields).aggregate(
        last=Max("changed_at"))["last"]


def _validate(employee, changes) -> None:
    trial = Employee.objects.get(pk=employee.pk)
    for name, value in changes.items():
        setattr(trial, name, value)
    trial.full_clean()


def _new_people(run, settings, documents, external_ids) -> list[dict]:
    """People Fortnox has and Brygga has not linked: added when the settings say so (and Brygga
    takes them), otherwise listed for the admin."""
    listed = []
    for external_id in external_ids:
        values, unreadable = hr_fields.fortnox_values(documents[external_id])
        name = f"{values.get('given_name', '')} {values.get('family_name', '')}".strip() or external_id
        if settings.add_new_people and not unreadable:
            try:
                add_person(run.organization, external_id, values)
            except ValidationError as error:
                run.append_log(StoredText(gettext_noop("%(name)s: new in Fortnox, not added — %(reason)s"),
                                          name=name, reason=" ".join(error.messages)))
            else:
                run.append_log(StoredText(gettext_noop("%(name)s: new in Fortnox, added to Brygga."), name=name))
                run.counts["created_in_brygga"] = run.counts.get("created_in_brygga", 0) + 1
                continue
        listed.append({"external_id": external_id, "name": name, "email": values.get("email", "")})
    return listed


def add_person(organization, external_id: str, values: dict) -> Employee:
    """Create a person Fortnox has in Brygga and link them (raises ValidationError when Brygga
    refuses the values, say an email another employee has)."""
    with transaction.atomic():
        employee = hr_actions.create_from_external(organization, hr_fields.employee_changes(values), source=SOURCE)
        link_employee(employee, external_id, values)
    return employee


def do_add_from_fortnox(organization, external_id: str) -> Employee:
    """The admin's "Add" on a person listed as new in Fortnox: read them again (one call) and add."""
    with FortnoxConnection.client_for(organization) as client:
        document = client.get(f"/3/employees/{external_id}")
    if ExternalLink.objects.filter(organization=organization, kind=EMPLOYEE_LINK, external_id=external_id).exists():
        raise ValidationError(_("This person is already in Brygga."))
    values, unreadable = hr_fields.fortnox_values(document)
    if unreadable:
        raise ValidationError(" ".join(str(reason) for reason in unreadable.values()))
    return add_person(organization, external_id, values)


# --- conflicts --------------------------------------------------------------------------------


def do_resolve_conflict(conflict: EmployeeConflict, keep: str, *, acting_user) -> None:
    """Keep one side's value: Fortnox's is applied to Brygga (not pushed back); Brygga's is
    pushed to Fortnox through the outbox. Either way both sides then agree on it."""
    if conflict.resolved_at is not None:
        return
    employee = conflict.employee
    link = ExternalLink.link_of(employee, EMPLOYEE_LINK)
    with transaction.atomic():
        if keep == EmployeeConflict.FORTNOX:
            changes = hr_fields.employee_changes({conflict.field: conflict.fortnox_value})
            _validate(employee, changes)
            hr_actions.update_from_external(employee, changes, source=SOURCE)
            if link is not None:
                link.last_synced_values = {**link.last_synced_values, conflict.field: conflict.fortnox_value}
                link.save(update_fields=["last_synced_values"])
        else:
            # Both sides last agreed on Fortnox's value now: the pull sees a change in Brygga only
            # (and leaves it) until the push lands and the link remembers Brygga's.
            if link is not None:
                link.last_synced_values = {**link.last_synced_values, conflict.field: conflict.fortnox_value}
                link.save(update_fields=["last_synced_values"])
            outbox.record(employee, "employee_update", {"fields": [conflict.field]}, by=acting_user)
        conflict.resolved_at, conflict.resolved_by, conflict.kept = timezone.now(), acting_user, keep
        conflict.save(update_fields=["resolved_at", "resolved_by", "kept"])


def do_resolve_person(organization, employee_id: int, keep: str, *, acting_user) -> int:
    conflicts = list(EmployeeConflict.objects.for_organization(organization).open().filter(employee_id=employee_id)
                     .select_related("employee"))
    with transaction.atomic():
        for conflict in conflicts:
            do_resolve_conflict(conflict, keep, acting_user=acting_user)
    return len(conflicts)


def notify_conflicts(organization, count: int) -> None:
    """Those who may resolve conflicts (HR admins and organization admins: whoever may open the
    inbox) are told once per run that found `count` new ones, each in their own language; a run
    that finds only conflicts already open tells no one (they were told when it opened)."""
    do_notify(
        organization, list(organization.members_with(Perm.MANAGE_HR)), title_template="integrations/email/hr_conflicts_title.txt",
        body_template="integrations/email/hr_conflicts_body.txt", context={"count": count},
        link=reverse("hr_conflicts"), level="warning",
    )


def last_pull(organization) -> SyncRun | None:
    return SyncRun.objects.for_organization(organization).filter(kind=RUN_KIND).exclude(
        status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING]).order_by("-created_at").first()

