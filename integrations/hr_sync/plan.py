"""Planning a user synchronisation: read every Fortnox employee, compare with Brygga and the last
synced values, change nothing. `apply` carries the admin's decisions out.

The plan lives in `SyncRun.data["plan"]` as plain JSON, so the conflict page renders it without a
query per person. Each person is an entry with a `key`, a `section` (match, only_fortnox,
only_brygga, unmatchable), both sides' normalised values, and what the comparison found:
`automatic` (one-sided changes since the last sync, applied without asking), `conflicts`
(fields the admin decides), `missing` (a value on one side only, offered to fill the other) and
`problems` (what blocks this person, with what to fix).
"""

from collections import defaultdict

from django.core.exceptions import ValidationError

from hr.models import Employee
from integrations.core import personal_data
from integrations.core.models import ExternalLink, FortnoxConnection, SyncRun, compare_three_way
from integrations.fortnox.client import CallCounter
from integrations.fortnox.errors import FortnoxBadResponse, FortnoxError
from organizations.stored_text import StoredText, gettext_noop

from . import fields as hr_fields
from .links import EMPLOYEE_LINK

RUN_KIND = "hr_users"
UNIQUE_FIELDS = ("email", "phone", "employment_id")
BRYGGA, FORTNOX = "brygga", "fortnox"


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
        run.finish(SyncRun.Status.FAILED, error=StoredText.each_language(reason_of, error))
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
    by_pin = _second_key_matches(brygga, fortnox, links, linked_external, brygga_by_email, fortnox_index)
    people, matched_employees = [], set()
    for document in documents:
        external_id = str(document["EmployeeId"])
        values, name = fortnox[external_id], document.get("FullName") or f"{document.get('FirstName', '')} {document.get('LastName', '')}".strip()
        link = linked_external.get(external_id)
        problems = _fortnox_side_problems(external_id, values, unreadable[external_id], fortnox_index)
        if link is not None and link.object_id in by_id:
            how, pk = "link", link.object_id
        elif external_id in by_pin:
            how, pk = "personal_identity_number", by_pin[external_id]
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


def _second_key_matches(brygga, fortnox, links, linked_external, brygga_by_email, fortnox_index) -> dict:
    """Fortnox employee id → Brygga employee matched by personal identity number, for people
    whose email addresses differ: both unlinked, the number held by exactly one person on each
    side, and the Brygga person not matched by email to someone else."""
    claimed_by_email = {
        brygga_by_email[values["email"]] for external_id, values in fortnox.items()
        if external_id not in linked_external and values.get("email") in brygga_by_email
        and not fortnox_index.others("email", values["email"], external_id)
    }
    pins = defaultdict(list)
    for pk, values in brygga.items():
        if values["personal_identity_number"] and pk not in links:
            pins[BRYGGA, values["personal_identity_number"]].append(pk)
    for external_id, values in fortnox.items():
        if values.get("personal_identity_number") and external_id not in linked_external:
            pins[FORTNOX, values["personal_identity_number"]].append(external_id)
    matches = {}
    for external_id, values in fortnox.items():
        pin = values.get("personal_identity_number")
        if not pin or external_id in linked_external:
            continue
        by_email = brygga_by_email.get(values.get("email"))
        if by_email is not None and by_email not in links:
            continue  # the email matches someone: email decides
        ours, theirs = pins.get((BRYGGA, pin), []), pins.get((FORTNOX, pin), [])
        if len(ours) == 1 and len(theirs) == 1 and ours[0] not in claimed_by_email:
            matches[external_id] = ours[0]
    return matches


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
    # Compared as the link keeps them (a personal identity number as its fingerprint).
    seen_local, seen_remote = personal_data.fingerprinted(local), personal_data.fingerprinted(remote)
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
            state = compare_three_way(seen_local[name], last[name], seen_remote[name])
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



def person_values(person: dict) -> dict:
    """Both sides' values of a plan entry as planned (for masking them in messages)."""
    try:
        whole = personal_data.unsealed(person)
    except ValueError:
        whole = person
    return {side: whole.get(side, {}) for side in (BRYGGA, FORTNOX)}



def is_chosen(person, decisions) -> bool:
    return person["section"] == "match" or person["key"] in decisions.get("create", [])


def action_of(person, decisions) -> str | None:
    if person["problems"] or not is_chosen(person, decisions):
        return None
    return person["section"]


def reason_of(error) -> str:
    if isinstance(error, FortnoxError):
        return error.user_message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)



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
        action = action_of(person, decisions)
        if action == "match":
            to_brygga, to_fortnox = changes_for(person, decisions)
            totals["to_brygga"] += len(to_brygga)
            totals["to_fortnox"] += len(to_fortnox)
        elif action == "only_brygga":
            totals["created_in_fortnox"] += 1
        elif action == "only_fortnox":
            totals["created_in_brygga"] += 1
        elif person["section"] == "unmatchable" or (person["problems"] and is_chosen(person, decisions)):
            totals["skipped"] += 1
    return totals

