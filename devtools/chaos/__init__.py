"""Chaos runs: a seeded random sequence of changes made in Brygga while the Fortnox sandbox injects
faults (5xx, 429 bursts, latency, timeouts, writes applied and then the connection dropped), the
outbox drained until nothing is left, then a check that Brygga and Fortnox agree exactly: no
duplicates, nothing missing, and every difference explained by a failure in the error log.

A run interleaves the steps of several domains, each a `Domain`: `prepare(client)` arranges
what it needs before any fault, `step(rng, number)` makes one change the way a user would and says
what it did, `after_batch()` and `settle()` do what must happen after each batch and once the
faults are off, `disagreements()` lists what Brygga and the sandbox disagree on. HR edits live
here, edits on both sides in `hr_both_ways`; absences and the warehouse have their own next to
their sync code.

Used by `tests/devtools` (a few seeds) and the `chaos` benchmark (more). Works only against the
sandbox: faults are switched through its control API, and Fortnox's side is read from the
sandbox's record store (its truth, not through the faulty API).
"""

import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from hr import actions as hr_actions
from hr.models import Employee
from integrations.core import outbox
from integrations.core.models import ExternalLink, IntegrationError, OutboxEvent
from integrations.hr_sync import fields as hr_fields
from integrations.hr_sync.links import EMPLOYEE_LINK

# `fault_drop_burst` is not calmed: a dropped write the "dropped after write" batch promised is
# dropped even when that batch's few seconds went on other work (how much a batch gets through is
# a matter of timing), so every run meets one whatever the machine's speed.
CALM = {"fault_error_rate": 0.0, "fault_429_burst": 0, "fault_latency_ms": 0, "fault_timeout_seconds": 0.0,
        "fault_drop_rate": 0.0}
# One profile per batch of changes; "timeouts" makes every request outlast the client's timeout,
# so it is only drawn when the caller says how long that timeout is.
PROFILES = {
    "server errors": {"fault_error_rate": 0.3},
    "dropped after write": {"fault_drop_rate": 0.35, "fault_drop_burst": 1},
    "429 burst": {"fault_429_burst": 2},
    "latency": {"fault_latency_ms": 120},
    "everything": {"fault_error_rate": 0.15, "fault_drop_rate": 0.15, "fault_429_burst": 1, "fault_latency_ms": 30},
}
ERROR_STATUSES = (500, 502, 503, 504)
BATCH_DRAIN_SECONDS = 3


@dataclass
class ChaosResult:
    seed: int
    steps: list[str] = field(default_factory=list)
    pushes: int = 0
    permanent_failures: int = 0
    disagreements: list[str] = field(default_factory=list)
    seconds: float = 0.0


class ChaosRun:
    """Steps drawn at random from `domains` (chaos objects of one organization), in batches, each
    batch under one fault profile of the sandbox `company` (its control-API dict), switched
    through `control` (a `SandboxControl`). `client_timeout` is the Fortnox client's timeout in
    seconds; given, it adds the timeout profile."""

    def __init__(self, organization, control, company: dict, domains: list, *, client_timeout: float | None = None):
        self.organization, self.control, self.company, self.domains = organization, control, company, domains
        self.profiles = dict(PROFILES)
        if client_timeout:
            self.profiles["timeouts"] = {"fault_timeout_seconds": client_timeout + 0.2}

    def prepare(self, fortnox_client) -> None:
        for domain in self.domains:
            domain.prepare(fortnox_client)

    def run(self, seed: int, batches: int = 4, steps_per_batch: int = 5) -> ChaosResult:
        rng = random.Random(seed)
        result = ChaosResult(seed=seed)
        started = time.monotonic()
        # Every profile once, in a seeded order, before any repeats.
        order = rng.sample(sorted(self.profiles), len(self.profiles))
        for batch in range(batches):
            name = order[batch % len(order)]
            self.control.update_company(self.company, **{
                **CALM, **self.profiles[name], "fault_seed": rng.randrange(2**31),
                "fault_error_status": rng.choice(ERROR_STATUSES),
            })
            for step in range(steps_per_batch):
                domain = rng.choice(self.domains)
                result.steps.append(f"[{name}] " + domain.step(rng, batch * steps_per_batch + step))
            # Pushes under this batch's faults for a while; what is left goes on under the next.
            result.pushes += drain(self.organization, deadline_seconds=BATCH_DRAIN_SECONDS)
            for domain in self.domains:
                domain.after_batch()
        self.control.update_company(self.company, **CALM)
        result.pushes += drain(self.organization)
        for domain in self.domains:
            domain.settle()
        result.disagreements = self.disagreements()
        result.permanent_failures = IntegrationError.objects.for_organization(self.organization).count()
        result.seconds = time.monotonic() - started
        return result

    def disagreements(self) -> list[str]:
        return [problem for domain in self.domains for problem in domain.disagreements()] + outbox_problems(self.organization)


class Domain:
    """What a chaos domain does beside its steps; by default nothing."""

    def after_batch(self) -> None:
        """After each batch's pushes, still under its faults."""

    def settle(self) -> None:
        """Once the faults are off and the outbox drained, before the check."""


class HrChaos(Domain):
    """HR edits through the outbox: people created (pushed as creates), phones, names and
    addresses changed, and, the first time it steps, a person whose employment ID Fortnox already
    gives to someone else (a permanent failure that must land in the error log)."""

    TAKEN_ID = "99999"

    def __init__(self, organization, control, company: dict):
        self.organization, self.control, self.company = organization, control, company
        self.taken_done = False

    def prepare(self, fortnox_client) -> None:
        """A Fortnox employee Brygga does not have, holding TAKEN_ID."""
        fortnox_client.post("/3/employees", {"Employee": {
            "EmployeeId": self.TAKEN_ID, "FirstName": "Främling", "LastName": "Utanför", "Email": "stranger@elsewhere.test",
        }})

    def step(self, rng: random.Random, number: int) -> str:
        people = list(Employee.objects.for_organization(self.organization).order_by("pk"))
        if not self.taken_done or not people or rng.random() < 0.3:
            employment_id = f"{7000 + number}" if self.taken_done else self.TAKEN_ID
            self.taken_done = True
            employee = hr_actions.do_create_employee(self.organization, {
                "given_name": "Kaos", "family_name": f"Person {number}", "email": f"kaos{number}@chaos.test",
                "employment_id": employment_id, "phone": f"+46701{number:06d}",
            }, acting_user=None)
            return f"create {employee.employment_id}"
        employee = rng.choice(people)
        what = rng.choice(["phone", "name", "address"])
        values = {
            "phone": {"phone": f"+46702{number:06d}"},
            "name": {"given_name": rng.choice(["Åsa", "Örjan", "Märta", "Nils"]), "family_name": f"Ek {number}"},
            "address": {"street": f"Storgatan {number}", "postal_code": f"{rng.randrange(10000, 99999)}",
                        "city": rng.choice(["Malmö", "Umeå", "Göteborg"])},
        }[what]
        hr_actions.do_update_employee(employee, values, acting_user=None)
        return f"{what} of {employee.employment_id}"

    def disagreements(self) -> list[str]:
        """Everything on which Brygga and the sandbox differ and no open error explains."""
        documents = [record["document"] for record in self.control.records(self.company, "employees")]
        problems = [f"Fortnox holds {n} employees with email {email}" for email, n in
                    Counter(str(d.get("Email", "")).lower() for d in documents).items() if n > 1]
        by_id = {str(d["EmployeeId"]): d for d in documents}
        links = {link.object_id: link for link in ExternalLink.links_for(self.organization, EMPLOYEE_LINK, Employee)}
        explained = explained_objects(self.organization, Employee)
        for employee in Employee.objects.for_organization(self.organization):
            link = links.get(employee.pk)
            document = by_id.get(link.external_id) if link else None
            if document is None:
                if employee.pk not in explained:
                    problems.append(f"{employee.employment_id} is missing in Fortnox and no error says why")
                continue
            for synced in hr_fields.PUSHED:
                mine, theirs = synced.from_employee(employee), synced.from_fortnox(document)
                if mine != theirs and employee.pk not in explained:
                    problems.append(f"{employee.employment_id} {synced.name}: Brygga {mine!r}, Fortnox {theirs!r}")
        linked = {link.external_id for link in links.values()}
        problems += [f"Fortnox employee {key} is not linked to anyone in Brygga"
                     for key in sorted(set(by_id) - linked - {self.TAKEN_ID})]
        return problems


def explained_objects(organization, model) -> set[int]:
    """Ids of the organization's `model` objects with an open entry in the integration error log."""
    return set(IntegrationError.objects.for_organization(organization).filter(
        status=IntegrationError.Status.OPEN, content_type=ContentType.objects.get_for_model(model), object_id__isnull=False,
    ).values_list("object_id", flat=True))


def outbox_problems(organization) -> list[str]:
    """Events the outbox never finished, and events that failed without an error-log entry
    (repeats of one failure are counted on one entry)."""
    events = OutboxEvent.objects.filter(organization=organization)
    unfinished = events.exclude(status__in=[OutboxEvent.Status.DONE, OutboxEvent.Status.FAILED])
    silent = events.filter(status=OutboxEvent.Status.FAILED, failure__isnull=True)
    return ([f"outbox event {e.pk} ({e.kind}) is still {e.status}" for e in unfinished]
            + [f"outbox event {e.pk} ({e.kind}) failed with nothing in the error log" for e in silent])


def drain(organization, *, deadline_seconds: float = 120) -> int:
    """Push every event of the organization until none is pending. Time is compressed: an event
    waiting for its next attempt (the outbox's backoff) is made due at once."""
    pending = OutboxEvent.objects.filter(organization=organization, status=OutboxEvent.Status.PENDING)
    # An event the job cluster is pushing is unfinished too: checking before it lands would count
    # its write as missing, and its retry (a 429 goes back to the outbox) as never made.
    unfinished = OutboxEvent.objects.filter(organization=organization, status__in=[
        OutboxEvent.Status.PENDING, OutboxEvent.Status.PROCESSING])
    pushed, deadline = 0, time.monotonic() + deadline_seconds
    while unfinished.exists() and time.monotonic() < deadline:
        pending.update(next_attempt_at=timezone.now())
        done = outbox.push_due(limit=1)
        if not done:
            time.sleep(0.1)
        pushed += done
    return pushed
