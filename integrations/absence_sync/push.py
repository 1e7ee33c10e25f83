"""The outbox handler that makes Fortnox hold exactly the transactions an absence calls for.

Every job works from the absence as it is now (never from the change that queued it), so late,
repeated or out-of-order jobs all converge. One job at a time per absence (`AbsenceTransfer`'s
lease); a change arriving meanwhile is picked up by the job holding it. A job spends at most
`settings.ABSENCE_SYNC_CALL_BUDGET` Fortnox calls (about 20 s at Fortnox's rate limit) and leaves
the rest to a new job, so an absence of any length is spread over background jobs and shows progress.

Idempotency: before each create Brygga commits an `ExternalLink` with a "pending-" id and the
values sent, and replaces the id with Fortnox's right after the answer. A pending link therefore
means "the answer was lost": the next job looks the transaction up by employee, date and cause
code and adopts the one that carries exactly the values sent and no other link owns, or creates
it when none does. Transactions Brygga did not create are never changed or deleted.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from hr.models import Absence
from integrations.core import outbox
from integrations.core.models import ExternalLink, IntegrationError, SyncRun
from integrations.fortnox.errors import (
    FortnoxNotFound,
    FortnoxRateLimited,
    FortnoxTransientError,
    FortnoxValidationError,
)
from organizations.stored_text import StoredText, gettext_noop

from . import plan as planning
from .models import AbsenceTransfer
from .rules import NOT_ENABLED
from .schedule import Budget, OutOfBudget, scheduled_hours
from .state import (
    LINK_KIND,
    MOVING,
    PENDING_PREFIX,
    SENT_FOR,
    cause_codes,
    is_disconnected,
    target_of,
    transaction_links,
)

EVENT_KIND = "absence_sync"
RUN_KIND = "absence_transfer"
PATH = "/3/absencetransactions"


def _held(link: ExternalLink) -> planning.Held:
    values = link.last_synced_values
    return planning.Held(link_id=link.pk, transaction_id=link.external_id, Date=values["Date"],
                         CauseCode=values["CauseCode"], Extent=values["Extent"], Hours=values["Hours"])


def _values_of(document: dict) -> dict:
    """A Fortnox transaction's values as links keep them (Fortnox sends numbers as strings)."""
    return {"EmployeeId": document["EmployeeId"], "Date": document["Date"], "CauseCode": document["CauseCode"],
            "Extent": float(document["Extent"]), "Hours": float(document["Hours"])}


def stand_in(transfer: AbsenceTransfer) -> Absence:
    """The absence as the outbox needs it (its id), also once it is deleted."""
    return Absence(pk=transfer.absence_id, organization_id=transfer.organization_id)


def request_transfer(transfer: AbsenceTransfer) -> None:
    """Queue a job for the absence unless one is already waiting (it will see the latest state)."""
    waiting = outbox.OutboxEvent.objects.filter(
        kind=EVENT_KIND, content_type=ContentType.objects.get_for_model(Absence), object_id=transfer.absence_id,
        status=outbox.OutboxEvent.Status.PENDING,
    ).exists()
    if not waiting:
        outbox.record(stand_in(transfer), EVENT_KIND)


class Job:
    """One job's share of bringing Fortnox in line with one absence."""

    def __init__(self, transfer: AbsenceTransfer, client, event):
        self.transfer, self.client, self.event = transfer, client, event
        self.budget = Budget(client, settings.ABSENCE_SYNC_CALL_BUDGET)
        self.progressed = False  # some change reached Fortnox in this job
        self.refused = []  # (method, path, body, date, error) of each day Fortnox refused
        self.absence_type_id = transfer.absence_type_id  # the absence's type now (its last one once deleted)
        self.read_before_update = False  # an absence in hours: read the transaction before changing it

    # --- the run shown on the absence ------------------------------------------------------------
    def _run(self) -> SyncRun:
        run = self.transfer.run
        if run is None or run.is_finished:
            run = SyncRun.objects.create(
                organization_id=self.transfer.organization_id, kind=RUN_KIND, status=SyncRun.Status.RUNNING,
                trigger=SyncRun.Trigger.BACKFILL if self.transfer.backfilled_at else SyncRun.Trigger.PUSH,
                started_at=timezone.now(), data={"absence": self.transfer.absence_id, "phase": "schedule"},
            )
            self.transfer.run = run
            self.transfer.save(update_fields=["run"])
        return run

    def _phase(self, run: SyncRun, phase: str, total: int, remaining: int) -> None:
        if run.data.get("phase") != phase:
            run.data, run.progress_total = {**run.data, "phase": phase}, total
        run.progress_done = max(0, run.progress_total - remaining)
        run.save(update_fields=["data", "progress_total", "progress_done"])

    # --- the work --------------------------------------------------------------------------------
    def run(self) -> bool:
        """True when Fortnox now matches the absence, False when the budget ran out first."""
        run = self._run()
        try:
            self._converge(run)
        except OutOfBudget:
            return False
        finally:
            SyncRun.objects.filter(pk=run.pk).update(api_calls=run.api_calls + self.budget.used)
            run.refresh_from_db()
        if self.refused:
            run.counts["failed"] = len(self.refused)
            run.save(update_fields=["counts"])
            run.append_log(StoredText(gettext_noop("Fortnox refused %(count)s day(s), e.g. %(day)s: %(message)s"),
                                      count=len(self.refused), day=self.refused[0][3], message=str(self.refused[0][4])))
        run.finish()
        return True

    def _converge(self, run: SyncRun) -> None:
        transfer = self.transfer
        absence = Absence.objects.with_related().filter(pk=transfer.absence_id).first()
        links = list(transaction_links(transfer.organization_id, transfer.absence_id))
        links = [link for link in links if not self._resolve_lost_create(link, run)]
        if absence is None:
            target = None
        else:
            self.absence_type_id = absence.absence_type_id
            target = target_of(absence, backfilled=transfer.backfilled_at is not None)
            if target.reason == NOT_ENABLED:
                return run.append_log(StoredText(gettext_noop(
                    "The integration does not create absences now: nothing was changed in Fortnox.")))
            target = target if target.reason is None else None
        day_plan = {}
        if target is not None:
            days = planning.calendar_days(absence.start_date, absence.end_date)
            hours = self._hours(run, target.employee_id, days)
            day_plan = planning.day_plan(target.cause_code, absence.grade, hours, absence.hours)
            self.read_before_update = absence.hours is not None
        codes = cause_codes(transfer.organization_id)
        ours, disconnected = [], []
        for link in links:
            # Links from before types were noted were sent for the transfer's type, as it was then.
            (disconnected if is_disconnected(link.last_synced_values, codes, transfer.absence_type_id) else ours).append(link)
        if disconnected:
            reconnected, disconnected = self._reconnect(run, disconnected, target, deleted=absence is None)
            ours += reconnected
        # A day still held under the old code keeps it: a second code beside it would double the absence.
        for link in disconnected:
            day_plan.pop(link.last_synced_values["Date"], None)
        changes = planning.diff(day_plan, [_held(link) for link in ours])
        self._phase(run, "send", len(changes), len(changes))
        for held in changes.delete:
            self._delete(held)
            run.advance("deleted")
        for held, day in changes.update:
            self._update(held, day, target.employee_id)
            run.advance("updated")
        for day in changes.create:
            self._create(day, target.employee_id)
            run.advance("created")

    def _hours(self, run, employee_id, days):
        if run.data.get("phase") == "send":  # a job continuing a run: an earlier one read (and cached) the schedule
            return scheduled_hours(self.client, employee_id, days, self.budget)
        self._phase(run, "schedule", len(days), len(days))

        def seen(count):  # every tenth day is often enough for a progress bar
            if count % 10 == 0 or count == len(days):
                SyncRun.objects.filter(pk=run.pk).update(progress_done=count)

        return scheduled_hours(self.client, employee_id, days, self.budget, progress=seen)

    def _call(self, method, path, body=None):
        self.budget.spend()
        outbox.note_request(self.event, method, path, body or {}, self.transfer.subject)
        answer = self.client.request(method, path, json=body)
        # Only a change counts: a job that can read but never write must back off, not loop.
        self.progressed = self.progressed or method != "GET"
        return answer

    def _resolve_lost_create(self, link: ExternalLink, run: SyncRun) -> bool:
        """For a create whose answer was lost: adopt the transaction it made, or forget the
        attempt if none was made. True when the link is gone."""
        if not link.external_id.startswith(PENDING_PREFIX):
            return False
        sent = link.last_synced_values
        try:
            found = self._call("GET", f"{PATH}/{sent['EmployeeId']}/{sent['Date']}/{sent['CauseCode']}")
        except FortnoxNotFound:
            found = None  # nothing under that key (or the employee is gone): the create did not land
        owned = set(ExternalLink.objects.filter(organization_id=link.organization_id, kind=LINK_KIND).exclude(
            external_id__startswith=PENDING_PREFIX).values_list("external_id", flat=True))
        for document in found.get("AbsenceTransactions", []) if found else []:
            values = _values_of(document)
            if document["id"] not in owned and (values["Extent"], values["Hours"]) == (sent["Extent"], sent["Hours"]):
                link.external_id = document["id"]
                link.save(update_fields=["external_id"])
                self.progressed = True
                run.append_log(StoredText(gettext_noop("%(day)s: found the transaction of a create whose answer was lost"),
                                          day=sent["Date"]))
                return False
        link.delete()
        return True

    def _reconnect(self, run: SyncRun, links: list[ExternalLink], target, *, deleted: bool):
        """Transactions made under an earlier cause code are left alone; one edited in Fortnox
        to the current code is Brygga's again. Returns those reconnected and those still
        disconnected (gone from Fortnox: forgotten; the absence deleted: all forgotten)."""
        if deleted:
            ExternalLink.objects.filter(pk__in=[link.pk for link in links]).delete()
            return [], []
        if target is None:  # nothing to reconnect to: they stay, shown on the absence
            return [], links
        self.budget.spend()
        in_fortnox = {d["id"]: d for d in self.client.iterate(PATH, {"employeeid": target.employee_id})}
        reconnected, still = [], []
        for link in links:
            document = in_fortnox.get(link.external_id)
            if document is None:
                link.delete()
            elif document["CauseCode"] == target.cause_code:
                link.remember(self._sent(_values_of(document)))
                reconnected.append(link)
                run.append_log(StoredText(gettext_noop("%(day)s: reconnected (its cause code is %(code)s again)"),
                                          day=document["Date"], code=target.cause_code))
            else:
                still.append(link)
        return reconnected, still

    def _sent(self, values: dict) -> dict:
        return {**values, SENT_FOR: self.absence_type_id}

    def _refuse(self, method, path, body, day, error) -> None:
        self.refused.append((method, path, body, day, error))

    def _delete(self, held: planning.Held) -> None:
        path = f"{PATH}/{held.transaction_id}"
        try:
            self._call("DELETE", path)
        except FortnoxNotFound:
            pass  # already gone (deleted by hand, or our earlier answer was lost)
        except FortnoxValidationError as error:
            return self._refuse("DELETE", path, {}, held.Date, error)
        ExternalLink.objects.filter(pk=held.link_id).delete()

    def _update(self, held: planning.Held, day: planning.Day, employee_id: str) -> None:
        path = f"{PATH}/{held.transaction_id}"
        body = {"AbsenceTransaction": {"CauseCode": day.CauseCode, "Extent": day.Extent, "Hours": day.Hours}}
        try:
            if self.read_before_update and self._holds_already(path, day):
                return self._remember(held, day, employee_id)
            self._call("PUT", path, body)
        except FortnoxNotFound:
            ExternalLink.objects.filter(pk=held.link_id).delete()  # deleted in Fortnox: make it again
            return self._create(day, employee_id)
        except FortnoxValidationError as error:
            return self._refuse("PUT", path, body, day.Date, error)
        self._remember(held, day, employee_id)

    def _holds_already(self, path: str, day: planning.Day) -> bool:
        """Read before write (hours are a quantity): what Fortnox holds now. True when it already
        has the values (an earlier job's answer was lost, or someone made the same change there);
        a transaction deleted in Fortnox raises FortnoxNotFound, so it is made again."""
        now = _values_of(self._call("GET", path)["AbsenceTransaction"])
        return (now["CauseCode"], now["Extent"], now["Hours"]) == (day.CauseCode, day.Extent, day.Hours)

    def _remember(self, held: planning.Held, day: planning.Day, employee_id: str) -> None:
        link = ExternalLink.objects.get(pk=held.link_id)
        link.last_synced_values.pop(MOVING, None)  # moved: an ordinary transaction of the absence again
        link.remember(self._sent({**day.values(), "EmployeeId": employee_id}))

    def _create(self, day: planning.Day, employee_id: str) -> None:
        body = {"AbsenceTransaction": day.document(employee_id)}
        self.budget.spend()
        link = ExternalLink.objects.create(
            organization_id=self.transfer.organization_id, kind=LINK_KIND,
            content_type=ContentType.objects.get_for_model(Absence), object_id=self.transfer.absence_id,
            external_id=f"{PENDING_PREFIX}{uuid.uuid4()}",
            last_synced_values=self._sent({**day.values(), "EmployeeId": employee_id}),
        )
        try:
            created = self._call("POST", PATH, body)
        except (FortnoxValidationError, FortnoxNotFound) as error:  # e.g. an employee Fortnox does not know
            link.delete()  # refused, so not made
            return self._refuse("POST", PATH, body, day.Date, error)
        link.external_id = created["AbsenceTransaction"]["id"]
        link.synced_at = timezone.now()
        link.save(update_fields=["external_id", "synced_at"])


def notify_refusal(event, entry: IntegrationError, tell) -> None:
    """The absence could not be transferred for good: note it on the absence, and besides those
    the outbox tells (the admins, whoever made the change) tell the employee, their manager and
    whoever registered or decided it."""
    transfer = AbsenceTransfer.objects.filter(absence_id=event.object_id).first()
    if transfer is not None:
        transfer.error = entry
        transfer.save(update_fields=["error"])
    absence = Absence.objects.select_related(
        "employee__user", "employee__manager__user", "created_by", "decided_by").filter(pk=event.object_id).first()
    if absence is not None:
        manager = absence.employee.manager
        tell([absence.employee.user, manager.user if manager else None, absence.created_by, absence.decided_by])


@outbox.handler(EVENT_KIND, on_failure=notify_refusal,
                notice=("absence_sync/email/refused_title.txt", "absence_sync/email/refused_body.txt"))
def push_absence(event, client):
    transfer = AbsenceTransfer.objects.filter(
        organization_id=event.organization_id, absence_id=event.object_id).select_related("run").first()
    if transfer is None:
        raise outbox.PushSkipped("no transfer was requested for this absence")
    if not transfer.claim():
        raise outbox.PushSkipped("another job is transferring this absence; it picks this change up")
    change = transfer.requested_at
    job = Job(transfer, client, event)
    try:
        finished = job.run()
    except (FortnoxTransientError, FortnoxRateLimited):
        transfer.release()
        if not job.progressed:
            raise  # nothing got through: the outbox retries with backoff, then logs it
        request_transfer(transfer)  # some days got through: carry on at once in a fresh job
        return
    except BaseException:
        transfer.release()
        raise
    if not finished:
        transfer.release()
        request_transfer(transfer)
        return
    if job.refused:
        transfer.release()
        method, path, body, _day, error = job.refused[0]
        outbox.note_request(event, method, path, body, transfer.subject)
        event.payload = {**event.payload, "refused_days": [refusal[3] for refusal in job.refused]}
        event.save(update_fields=["payload"])
        raise error
    if transfer.error_id is not None:
        transfer.error = None
        transfer.save(update_fields=["error"])
    if transfer.release(caught_up_with=change):
        request_transfer(transfer)
