"""Synchronising users between Brygga and Fortnox: plan (read every Fortnox employee, compare,
change nothing), then apply the admin's decisions in a job, one person at a time.

The plan lives in `SyncRun.data["plan"]` as plain JSON, so the conflict page renders it without a
query per person. Each person is an entry with a `key`, a `section` (match, only_fortnox,
only_brygga, unmatchable), both sides' normalised values, and what the comparison found:
`automatic` (one-sided changes since the last sync, applied without asking), `conflicts`
(fields the admin decides), `missing` (a value on one side only, offered to fill the other) and
`problems` (what blocks this person, with what to fix).
"""

import logging
from collections import defaultdict

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
from integrations.core.models import ExternalLink, FortnoxConnection, IntegrationError, SyncRun, compare_three_way
from integrations.fortnox.client import CallCounter
from integrations.fortnox.errors import FortnoxBadResponse, FortnoxError, FortnoxNotFound
from organizations.actions import do_notify
from organizations.stored_text import StoredText, gettext_noop

from . import fields as hr_fields
from .models import HrIntegrationSettings
from .receivers import EMPLOYEE_LINK

log = logging.getLogger("integrations.hr_sync")

RUN_KIND = "hr_users"
APPLY_TASK = "integrations.hr_sync.sync.apply_user_sync"
UNIQUE_FIELDS = ("email", "phone", "employment_id")
BRYGGA, FORTNOX = "brygga", "fortnox"
STALLED_AFTER = SyncRun.LOST_AFTER
# As many jobs as django-q2 gives one task: a run that stops its worker every time (one too large
# to apply within `timeout`, say) is given up rather than started again for ever.
MAX_ATTEMPTS = settings.Q_CLUSTER["max_attempts"]


# --- planning ---------------------------------------------------------------------------------


def do_plan_user_sync(organization, *, acting_user) -> SyncRun:
    """Read Fortnox's employees and store what a synchronisation would do, as a planned run."""
    counter = CallCounter()
    run = SyncRun.objects.create(
        organization=organization, kind=RUN_KIND, trigger=SyncRun.Trigger.MANUAL, status=SyncRun.Status.PLANNED,
        started_by=acting_user,
    )
    try:
        with FortnoxConnection.client_for(organization, call_counter=counter) as client:
            documents = _readable(list(client.iterate("/3/employees")))
    except FortnoxError as error:
        run.api_calls = counter.total
        run.save(update_fields=["api_calls"])
        run.finish(SyncRun.Status.FAILED, error=StoredText.each_language(_reason, error))
        raise
    run.data = {"plan": personal_data.sealed_plan(build_plan(organization, documents))}
    run.api_calls = counter.total
    run.save(update_fields=["data", "api_calls"])
    run.append_log(StoredText(gettext_noop("Read %(count)s Fortnox employees in %(calls)s calls."),
                              count=len(documents), calls=counter.total))
    return run


def _readable(documents: list) -> list[dict]:
    """Fortnox sends every employee as an object with its EmployeeId; a list with anything else
    is a broken answer, and planning on the readable part of it would leave people out."""
    for document in documents:
        if not isinstance(document, dict) or not isinstance(document.get("EmployeeId"), str | int) or document["EmployeeId"] == "":
            raise FortnoxBadResponse("GET /3/employees: an employee without a readable EmployeeId")
    return documents


class _Index:
    """Who holds which unique value on one side: value → keys of the people holding it."""

    def __init__(self):
        self.holders = defaultdict(set)

    def add(self, field: str, value, key) -> None:
        if value:
            self.holders[field, value].add(key)

    def others(self, field: str, value, key) -> set:
        return self.holders.get((field, value), set()) - {key} if value else set()


def build_plan(organization, documents: list[dict]) -> dict:
    employees = list(Employee.objects.for_organization(organization).order_by("family_name", "given_name", "pk"))
    links = {link.object_id: link for link in ExternalLink.links_for(organization, EMPLOYEE_LINK, Employee)}
    linked_external = {link.external_id: link for link in links.values()}

    brygga = {employee.pk: hr_fields.employee_values(employee) for employee in employees}
    by_id = {employee.pk: employee for employee in employees}
    brygga_index = _Index()
    for pk, values in brygga.items():
        for field in UNIQUE_FIELDS:
            brygga_index.add(field, values[field], pk)

    fortnox, unreadable = {}, {}
    fortnox_index = _Index()
    for document in documents:
        external_id = str(document["EmployeeId"])
        fortnox[external_id], unreadable[external_id] = hr_fields.fortnox_values(document)
        for field in UNIQUE_FIELDS:
            fortnox_index.add(field, fortnox[external_id].get(field), external_id)

    brygga_by_email = {values["email"]: pk for pk, values in brygga.items() if values["email"]}
    people, matched_employees = [], set()
    for document in documents:
        external_id = str(document["EmployeeId"])
        values, name = fortnox[external_id], document.get("FullName") or f"{document.get('FirstName', '')} {document.get('LastName', '')}".strip()
        link = linked_external.get(external_id)
        problems = _fortnox_side_problems(external_id, values, unreadable[external_id], fortnox_index)
        if link is not None and link.object_id in by_id:
            how, pk = "link", link.object_id
        elif not values["email"]:
            people.append(_entry("unmatchable", external_id=external_id, name=name, fortnox=values, problems=[
                _problem(gettext_noop("This Fortnox employee has no email address, which Brygga needs to match people. Add it in Fortnox."))
            ]))
            continue
        elif (pk := brygga_by_email.get(values["email"])) is not None and pk not in links and not fortnox_index.others("email", values["email"], external_id):
            how = "email"
        else:
            people.append(_only_fortnox(external_id, name, values, problems, brygga_index))
            continue
        matched_employees.add(pk)
        people.append(_match(by_id[pk], external_id, how, brygga[pk], values, links.get(pk), problems, brygga_index, fortnox_index))

    for pk, values in brygga.items():
        if pk in matched_employees:
            continue
        employee = by_id[pk]
        if pk in links:
            people.append(_entry("unmatchable", employee=pk, external_id=links[pk].external_id, name=str(employee), brygga=values, problems=[
                _problem(gettext_noop("Linked to Fortnox employee %(id)s, which Fortnox no longer lists."), id=links[pk].external_id)
            ]))
        elif employee.active:
            people.append(_only_brygga(employee, values, fortnox_index))
    return {"people": people, "fortnox_count": len(documents), "brygga_count": len(employees)}


def _entry(section, *, employee=None, external_id="", name="", brygga=None, fortnox=None, problems=(), **extra) -> dict:
    key = {"match": f"m{employee}", "only_brygga": f"b{employee}"}.get(section, f"f{external_id}")
    return {"key": key, "section": section, "employee": employee, "external_id": external_id, "name": name,
            "brygga": brygga or {}, "fortnox": fortnox or {}, "problems": list(problems), **extra}


def _problem(message, **params):
    """A problem as the plan stores it: a message id with parameters, read in the reader's
    language (the admin who reads the plan need not be the one who made it)."""
    return StoredText(message, **params).to_data()


def _label(field) -> StoredText:
    return StoredText.each_language(str, hr_fields.BY_NAME[field].label)


def problem_texts(person: dict) -> list[StoredText]:
    """A plan entry's problems as stored texts; plans stored before them hold plain strings."""
    return [StoredText.from_data(problem) for problem in person.get("problems", [])]


def _fortnox_side_problems(external_id, values, unreadable, fortnox_index) -> list:
    problems = [
        _problem(gettext_noop("Fortnox's %(field)s cannot be used: %(reason)s Correct it in Fortnox."),
                 field=_label(field), reason=reason)
        for field, reason in unreadable.items()
    ]
    for field in ("email", "phone"):
        others = fortnox_index.others(field, values.get(field), external_id)
        if others:
            problems.append(_problem(
                gettext_noop("%(field)s %(value)s is also used by Fortnox employee %(others)s: make it unique in Fortnox."),
                field=_label(field), value=values[field], others=", ".join(sorted(others)),
            ))
    return problems


def _taken_in_brygga(field, value, pk, brygga_index) -> list:
    others = brygga_index.others(field, value, pk)
    if not others:
        return []
    return [_problem(
        gettext_noop("%(field)s %(value)s from Fortnox already belongs to another employee in Brygga: change one of them."),
        field=_label(field), value=value,
    )]


def _taken_in_fortnox(field, value, external_id, fortnox_index) -> list:
    others = fortnox_index.others(field, value, external_id)
    if not others:
        return []
    return [_problem(
        gettext_noop("%(field)s %(value)s is already used by Fortnox employee %(others)s: change one of them."),
        field=_label(field), value=value, others=", ".join(sorted(others)),
    )]


def _match(employee, external_id, how, local, remote, link, problems, brygga_index, fortnox_index) -> dict:
    last = link.last_synced_values if link is not None else {}
    automatic = {BRYGGA: [], FORTNOX: []}  # fields to write on that side without asking
    conflicts, missing = [], []
    for field in hr_fields.FIELDS:
        name = field.name
        if name not in remote:  # unreadable in Fortnox: already a problem
            continue
        if field is hr_fields.EMPLOYMENT_ID:
            if local[name] != remote[name]:
                automatic[BRYGGA].append(name)  # only ever copied from Fortnox
            continue
        if name in last:
            state = compare_three_way(local[name], last[name], remote[name])
            if state == "remote_changed":
                automatic[BRYGGA].append(name)
            elif state == "local_changed":
                automatic[FORTNOX].append(name)
            elif state == "conflict":
                conflicts.append(name)
        elif local[name] != remote[name]:
            if not local[name] or not remote[name]:
                missing.append({"field": name, "from": FORTNOX if remote[name] else BRYGGA})
            else:
                conflicts.append(name)
    problems = list(problems)
    for name in UNIQUE_FIELDS:
        if name in remote and local[name] != remote[name]:
            problems += _taken_in_brygga(name, remote[name], employee.pk, brygga_index)
            if name != "employment_id":
                problems += _taken_in_fortnox(name, local[name], external_id, fortnox_index)
    return _entry("match", employee=employee.pk, external_id=external_id, name=str(employee), brygga=local, fortnox=remote,
                  problems=problems, how=how, automatic=automatic, conflicts=conflicts, missing=missing)


def _only_fortnox(external_id, name, values, problems, brygga_index) -> dict:
    problems = list(problems)
    for field in UNIQUE_FIELDS:
        problems += _taken_in_brygga(field, values.get(field), None, brygga_index)
    if not (values.get("given_name") and values.get("family_name")):
        problems.append(_problem(gettext_noop("Brygga needs a given and a family name: fill them in in Fortnox.")))
    return _entry("only_fortnox", external_id=external_id, name=name, fortnox=values, problems=problems)


def _only_brygga(employee, values, fortnox_index) -> dict:
    problems = []
    for field in UNIQUE_FIELDS:
        problems += _taken_in_fortnox(field, values[field], None, fortnox_index)
    if "/" in employee.employment_id:
        problems.append(_problem(gettext_noop("Fortnox does not accept “/” in an employment ID: change it in Brygga.")))
    return _entry("only_brygga", employee=employee.pk, name=str(employee), brygga=values, problems=problems)


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
    work = [person for person in plan["people"] if _action(person, decisions)]
    run.start(len(work))
    counter = CallCounter()
    failures = []
    with FortnoxConnection.client_for(run.organization, call_counter=counter) as client:
        for person in work:
            calls_before = counter.total
            try:
                outcome = APPLY[_action(person, decisions)](run.organization, client, _unsealed(person), decisions)
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
               if person["section"] == "unmatchable" or (person["problems"] and _chosen(person, decisions))]
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
    _notify_summary(run, failures)
    run.finish()  # last: whoever watches the run sees it finished only when all of it is done


def _joined_problems(person: dict) -> str:
    return " ".join(str(problem) for problem in problem_texts(person))


def _unsealed(person: dict) -> dict:
    try:
        return personal_data.unsealed(person)
    except ValueError as error:
        raise PersonFailed(str(error)) from error


def person_values(person: dict) -> dict:
    """Both sides' values of a plan entry as planned (for masking them in messages)."""
    try:
        whole = personal_data.unsealed(person)
    except ValueError:
        whole = person
    return {side: whole.get(side, {}) for side in (BRYGGA, FORTNOX)}


def _claim(run_id: int) -> bool:
    """Take the run for this job: queued, or running with a stopped heartbeat (the ORM broker hands
    a job out again once its worker died). A conditional UPDATE, so of two jobs of one run — that
    redelivery and the sweeper's — only one applies it."""
    return SyncRun.objects.filter(pk=run_id, attempts__lt=MAX_ATTEMPTS).filter(
        Q(status=SyncRun.Status.QUEUED)
        | Q(status=SyncRun.Status.RUNNING, heartbeat_at__lt=timezone.now() - STALLED_AFTER),
    ).update(status=SyncRun.Status.RUNNING, heartbeat_at=timezone.now(), attempts=F("attempts") + 1) == 1


def _chosen(person, decisions) -> bool:
    return person["section"] == "match" or person["key"] in decisions.get("create", [])


def _action(person, decisions) -> str | None:
    if person["problems"] or not _chosen(person, decisions):
        return None
    return person["section"]


def _reason(error) -> str:
    if isinstance(error, FortnoxError):
        return error.user_message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def _outcome_line(name: str, outcome: str) -> str:
    return f"{name}: {run_counts.label(outcome)}"


def _redacted_reason(error, person) -> str:
    return personal_data.redacted(_reason(error), person_values(person))


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
        _link(employee, person["external_id"], agreed)
    return "updated" if (to_brygga or to_fortnox) else "unchanged"


def changes_for(person, decisions) -> tuple[dict, dict]:
    """The values a matched person's decisions move: (Fortnox's that go to Brygga, Brygga's that
    go to Fortnox), by field."""
    local, remote = person["brygga"], person["fortnox"]
    to_brygga = {name: remote[name] for name in person["automatic"][BRYGGA]}
    to_fortnox = {name: local[name] for name in person["automatic"][FORTNOX]}
    winners = decisions.get("winners", {}).get(person["key"], {})
    for name in person["conflicts"]:
        if winners.get(name) == FORTNOX:
            to_brygga[name] = remote[name]
        elif winners.get(name) == BRYGGA:
            to_fortnox[name] = local[name]
    for item in person["missing"]:
        if item["field"] in decisions.get("fill", {}).get(person["key"], []):
            if item["from"] == FORTNOX:
                to_brygga[item["field"]] = remote[item["field"]]
            else:
                to_fortnox[item["field"]] = local[item["field"]]
    return to_brygga, to_fortnox


def outcome_of(plan: dict, decisions: dict) -> dict:
    """What applying `decisions` would do, in totals, for the page to show before anything
    changes: values each way, people created on each side, people skipped."""
    totals = {"to_fortnox": 0, "to_brygga": 0, "created_in_fortnox": 0, "created_in_brygga": 0, "skipped": 0}
    for person in plan["people"]:
        action = _action(person, decisions)
        if action == "match":
            to_brygga, to_fortnox = changes_for(person, decisions)
            totals["to_brygga"] += len(to_brygga)
            totals["to_fortnox"] += len(to_fortnox)
        elif action == "only_brygga":
            totals["created_in_fortnox"] += 1
        elif action == "only_fortnox":
            totals["created_in_brygga"] += 1
        elif person["section"] == "unmatchable" or (person["problems"] and _chosen(person, decisions)):
            totals["skipped"] += 1
    return totals


def _validate(employee, changes) -> None:
    """Brygga's rules for the incoming values, before anything is written on either side."""
    if not changes:
        return
    trial = Employee.objects.get(pk=employee.pk)
    for name, value in changes.items():
        setattr(trial, name, value)
    trial.full_clean()


def _link(employee, external_id, values) -> ExternalLink:
    link, _created = ExternalLink.objects.update_or_create(
        organization_id=employee.organization_id, kind=EMPLOYEE_LINK,
        content_type=ContentType.objects.get_for_model(Employee), object_id=employee.pk,
        defaults={"external_id": external_id, "last_synced_values": values, "synced_at": timezone.now()},
    )
    return link


def _apply_only_fortnox(organization, client, person, decisions) -> str:
    if ExternalLink.objects.filter(organization=organization, kind=EMPLOYEE_LINK, external_id=person["external_id"]).exists():
        return "created_in_brygga"  # by an earlier attempt of this run, whose worker stopped
    values = person["fortnox"]
    changes = hr_fields.employee_changes(values)
    with transaction.atomic():
        employee = hr_actions.create_from_external(organization, changes)
        _link(employee, person["external_id"], values)
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
    return _link(employee, employee.employment_id, values)


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

