"""Carrying out a planned user synchronisation: store the admin's decisions, queue the job, apply
them person by person (`plan` made the plan); the sweeper's part for runs whose job was lost."""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hr import actions as hr_actions
from hr.models import Employee
from integrations.core import personal_data, run_counts
from integrations.core.jobs import in_organization_language
from integrations.core.models import ExternalLink, FortnoxConnection, IntegrationError, SyncRun
from integrations.fortnox.client import CallCounter
from integrations.fortnox.errors import FortnoxError, FortnoxNotFound
from organizations.actions import do_notify
from organizations.stored_text import StoredText, gettext_noop

from . import fields as hr_fields
from .links import EMPLOYEE_LINK, link_employee
from .models import HrIntegrationSettings
from .plan import RUN_KIND, action_of, changes_for, is_chosen, person_values, problem_texts, reason_of
from .pull import do_update_pull_schedule

log = logging.getLogger("integrations.hr_sync")

APPLY_TASK = "integrations.hr_sync.apply.apply_user_sync"
STALLED_AFTER = SyncRun.LOST_AFTER
# As many jobs as django-q2 gives one task: a run that stops its worker every time (one too large
# to apply within `timeout`, say) is given up rather than started again for ever.
MAX_ATTEMPTS = settings.Q_CLUSTER["max_attempts"]


# --- decisions --------------------------------------------------------------------------------


class UserSyncRefused(Exception):
    """A synchronisation that may not start now; `running` is the one going, when that is why.
    `message` is a stored text: the abandoned run keeps it for whoever reads the run later."""

    def __init__(self, message: StoredText, running=None):
        super().__init__(str(message))
        self.message, self.running = message, running


def running_user_sync(organization) -> SyncRun | None:
    return SyncRun.objects.for_organization(organization).filter(
        kind=RUN_KIND, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
    ).first()


def _refusal(run: SyncRun) -> UserSyncRefused | None:
    """Why `run` may not start: another one is going (two would overlap and each report the other's
    work as its own), or one applied its decisions after this plan was read (the plan is stale)."""
    running = running_user_sync(run.organization)
    if running is not None:
        return UserSyncRefused(StoredText(gettext_noop("A user synchronisation is already running; here it is.")), running)
    others = SyncRun.objects.for_organization(run.organization).filter(kind=RUN_KIND).exclude(pk=run.pk)
    if others.filter(finished_at__gt=run.created_at, data__has_key="decisions").exists():
        return UserSyncRefused(StoredText(gettext_noop(
            "Another synchronisation changed people after this one read Fortnox, so these choices may no longer "
            "fit. Nothing was changed: read Fortnox again."
        )))
    return None


def do_start_user_sync(run: SyncRun, decisions: dict) -> SyncRun:
    """Store the admin's decisions and queue the job that applies them; raises UserSyncRefused
    (and abandons the run) when it may not start."""
    with transaction.atomic():
        # The HR settings row is the organization's lock: two tabs starting at once cannot both pass.
        HrIntegrationSettings.objects.select_for_update().get_or_create(organization=run.organization)
        refusal = _refusal(run)
        if refusal is None:
            run.data = {**run.data, "decisions": decisions}
            run.status, run.heartbeat_at = SyncRun.Status.QUEUED, timezone.now()
            run.save(update_fields=["data", "status", "heartbeat_at"])
            transaction.on_commit(lambda: _queue_apply(run.pk))
            return run
    run.finish(SyncRun.Status.ABANDONED, error=refusal.message)
    raise refusal


def _queue_apply(run_id: int) -> None:
    from django_q.tasks import async_task

    async_task(APPLY_TASK, run_id, group="fortnox-hr-sync")


def requeue_stalled_user_syncs() -> None:
    """The sweeper's part: a run queued or running whose heartbeat stopped has lost its job (the
    Redis broker does not hand out again a job taken by a worker that died, nor one fetched by a
    cluster that died before starting it). Give it to a new job, or give it up once MAX_ATTEMPTS
    jobs took it and none finished."""
    stalled = SyncRun.objects.filter(
        kind=RUN_KIND, status__in=[SyncRun.Status.QUEUED, SyncRun.Status.RUNNING],
        heartbeat_at__lt=timezone.now() - STALLED_AFTER,
    )
    for run in stalled.select_related("organization"):
        with translation.override(run.organization.language):
            _requeue_or_give_up(run, stalled.filter(pk=run.pk))


@transaction.atomic
def _requeue_or_give_up(run: SyncRun, still_stalled) -> None:
    give_up = run.attempts >= MAX_ATTEMPTS
    # Conditional: a job that took the run meanwhile (the ORM broker's redelivery) touched its
    # heartbeat, and of two sweepers only one moves it.
    if not still_stalled.update(status=SyncRun.Status.FAILED if give_up else SyncRun.Status.QUEUED, heartbeat_at=timezone.now()):
        return
    log.warning("user synchronisation %s had no heartbeat for %s: %s", run.pk, STALLED_AFTER, "given up" if give_up else "queued again")
    run.refresh_from_db()
    if give_up:
        run.finish(SyncRun.Status.FAILED, error=StoredText(gettext_noop(
            "Given up after %(attempts)s attempts, each stopped before the end. Start a new synchronisation: "
            "what was already done is kept."
        ), attempts=run.attempts))
        transaction.on_commit(lambda: _notify_given_up(run))
        return
    run.append_log(StoredText(gettext_noop("No job has reported on this synchronisation for %(minutes)s minutes: it is queued again."),
                              minutes=int(STALLED_AFTER.total_seconds() // 60)))
    transaction.on_commit(lambda: _queue_apply(run.pk))



# --- applying ---------------------------------------------------------------------------------


class PersonFailed(Exception):
    pass


@in_organization_language
def apply_user_sync(run_id: int) -> None:
    """The job: apply the decisions person by person. A person's changes are all made or none
    (Brygga's values are validated before Fortnox is written); a failure is recorded and the
    run goes on with the next person."""
    if not _claim(run_id):
        return  # another job is applying it, or it is finished
    run = SyncRun.objects.select_related("organization", "started_by").get(pk=run_id)
    if run.started_at is not None:
        # An earlier job started and its worker died: apply again from the first person. Every
        # step finds what the lost worker already did (links, Fortnox's records).
        run.counts = {}
        run.save(update_fields=["counts"])
        run.append_log(StoredText(gettext_noop("Resumed: the worker applying this synchronisation stopped.")))
    plan, decisions = run.data["plan"], run.data["decisions"]
    work = [person for person in plan["people"] if action_of(person, decisions)]
    run.start(len(work))
    counter = CallCounter()
    failures = []
    with FortnoxConnection.client_for(run.organization, call_counter=counter) as client:
        for person in work:
            calls_before = counter.total
            try:
                outcome = APPLY[action_of(person, decisions)](run.organization, client, _unsealed(person), decisions)
            except (FortnoxError, ValidationError, PersonFailed) as error:
                reason = StoredText.each_language(_redacted_reason, error, person)
                failures.append({"name": person["name"], "reason": reason.to_data()})
                _record_failure(run, person, error, reason)
                run.append_log(StoredText(gettext_noop("%(name)s: failed — %(reason)s"), name=person["name"], reason=reason))
                run.advance("failed", api_calls=counter.total - calls_before)
                continue
            run.append_log(StoredText.each_language(_outcome_line, person["name"], outcome))
            run.advance(outcome, api_calls=counter.total - calls_before)
    # Who was left out and why, in the log and the summary: a bare count tells nobody what to fix.
    skipped = [{"name": person["name"], "reason": StoredText.each_language(_joined_problems, person).to_data()}
               for person in plan["people"]
               if person["section"] == "unmatchable" or (person["problems"] and is_chosen(person, decisions))]
    for person in skipped:
        run.append_log(StoredText(gettext_noop("%(name)s: skipped — %(reason)s"), name=person["name"],
                                  reason=StoredText.from_data(person["reason"])))
    run.counts["skipped"] = len(skipped)
    # Done with the full values: the run keeps the masked plan only.
    run.data = {**run.data, "plan": personal_data.without_sealed(plan), "failures": failures, "skipped": skipped}
    run.save(update_fields=["counts", "data"])
    settings = HrIntegrationSettings.get_or_create_for(run.organization)
    if settings.activated_at is None:
        settings.activated_at = timezone.now()
        settings.save(update_fields=["activated_at"])
        do_update_pull_schedule(settings)
    _notify_summary(run, failures)
    run.finish()  # last: whoever watches the run sees it finished only when all of it is done


def _joined_problems(person: dict) -> str:
    return " ".join(str(problem) for problem in problem_texts(person))


def _unsealed(person: dict) -> dict:
    try:
        return personal_data.unsealed(person)
    except ValueError as error:
        raise PersonFailed(str(error)) from error



def _claim(run_id: int) -> bool:
    """Take the run for this job: queued, or running with a stopped heartbeat (the ORM broker hands
    a job out again once its worker died). A conditional UPDATE, so of two jobs of one run — that
    redelivery and the sweeper's — only one applies it."""
    return SyncRun.objects.filter(pk=run_id, attempts__lt=MAX_ATTEMPTS).filter(
        Q(status=SyncRun.Status.QUEUED)
        | Q(status=SyncRun.Status.RUNNING, heartbeat_at__lt=timezone.now() - STALLED_AFTER),
    ).update(status=SyncRun.Status.RUNNING, heartbeat_at=timezone.now(), attempts=F("attempts") + 1) == 1



def _outcome_line(name: str, outcome: str) -> str:
    return f"{name}: {run_counts.label(outcome)}"


def _redacted_reason(error, person) -> str:
    return personal_data.redacted(reason_of(error), person_values(person))


def _record_failure(run, person, error, reason) -> None:
    if isinstance(error, FortnoxError):
        local = {"content_type_id": ContentType.objects.get_for_model(Employee).pk, "object_id": person["employee"]} \
            if person.get("employee") else {}
        IntegrationError.record(
            organization_id=run.organization_id, kind=RUN_KIND, subject=person["name"], sync_run=run, **local,
            fortnox_code="" if error.code is None else str(error.code),
            fortnox_message=personal_data.redacted(error.message or str(error), person_values(person)), message=reason,
        )


def _apply_match(organization, client, person, decisions) -> str:
    employee = Employee.objects.get(organization=organization, pk=person["employee"])
    local, remote = person["brygga"], person["fortnox"]
    to_brygga, to_fortnox = changes_for(person, decisions)
    changes = hr_fields.employee_changes(to_brygga)
    _validate(employee, changes)
    if to_fortnox:
        client.put(f"/3/employees/{person['external_id']}", {"Employee": hr_fields.fortnox_document(to_fortnox)})
    agreed = {name: value for name, value in local.items() if remote.get(name) == value}
    agreed.update(to_brygga)
    agreed.update(to_fortnox)
    with transaction.atomic():
        if changes:
            hr_actions.update_from_external(employee, changes)
        link_employee(employee, person["external_id"], agreed)
    return "updated" if (to_brygga or to_fortnox) else "unchanged"



def _validate(employee, changes) -> None:
    """Brygga's rules for the incoming values, before anything is written on either side."""
    if not changes:
        return
    trial = Employee.objects.get(pk=employee.pk)
    for name, value in changes.items():
        setattr(trial, name, value)
    trial.full_clean()



def _apply_only_fortnox(organization, client, person, decisions) -> str:
    if ExternalLink.objects.filter(organization=organization, kind=EMPLOYEE_LINK, external_id=person["external_id"]).exists():
        return "created_in_brygga"  # by an earlier attempt of this run, whose worker stopped
    values = person["fortnox"]
    changes = hr_fields.employee_changes(values)
    with transaction.atomic():
        employee = hr_actions.create_from_external(organization, changes)
        link_employee(employee, person["external_id"], values)
    return "created_in_brygga"


def _apply_only_brygga(organization, client, person, decisions) -> str:
    create_in_fortnox(client, Employee.objects.get(organization=organization, pk=person["employee"]))
    return "created_in_fortnox"


APPLY = {"match": _apply_match, "only_fortnox": _apply_only_fortnox, "only_brygga": _apply_only_brygga}


def create_in_fortnox(client, employee, note=None) -> ExternalLink:
    """Create `employee` in Fortnox under their Brygga employment ID and link them. Never twice:
    when Fortnox already has that employee id with the same email (an earlier attempt whose
    answer was lost), that one is linked instead."""
    values = hr_fields.employee_values(employee)
    path = f"/3/employees/{employee.employment_id}"
    try:
        existing = client.get(path)
    except FortnoxNotFound:
        existing = None
    if existing is not None:
        if (existing.get("Email") or "").strip().lower() != values["email"]:
            raise PersonFailed(_("Fortnox already has an employee with ID %(id)s, someone else (%(email)s): change the employment ID in Brygga.") % {
                "id": employee.employment_id, "email": existing.get("Email") or "?",
            })
    else:
        body = {"Employee": hr_fields.fortnox_document(values, creating=True)}
        if note is not None:
            note("POST", "/3/employees", body)
        client.post("/3/employees", body)
    return link_employee(employee, employee.employment_id, values)


def _notify_given_up(run: SyncRun) -> None:
    """Whoever started the run and the organization admins: a run given up must not be news only
    to someone who happens to open its page."""
    people = {user.pk: user for user in run.organization.admins()}
    if run.started_by is not None and run.started_by.is_active:
        people.setdefault(run.started_by_id, run.started_by)
    do_notify(
        run.organization, list(people.values()), title_template="integrations/email/user_sync_given_up_title.txt",
        body_template="integrations/email/user_sync_given_up_body.txt", context={"run": run},
        link=reverse("hr_sync_run", args=[run.pk]), level="error",
    )


def _notify_summary(run: SyncRun, failures: list) -> None:
    if run.started_by is None:
        return
    do_notify(
        run.organization, [run.started_by], title_template="integrations/email/user_sync_title.txt",
        body_template="integrations/email/user_sync_body.txt",
        context={"run": run, "failures": failures, "skipped": run.data.get("skipped", [])},
        link=reverse("hr_sync_run", args=[run.pk]), level="error" if failures else "info",
    )

