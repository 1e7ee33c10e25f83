"""Personal data in the copies Brygga keeps of what it sent to Fortnox and of sync plans.

What was sent (`OutboxEvent.payload`, `IntegrationError.sent`) and a user synchronisation's plan
(`SyncRun.data`) are kept so people can read what happened; a bank account or a personal
identity number in them would be a copy nobody needs in full. `MaskedJSONField` masks those
values whenever such a field is written, whatever the path (save, create, update): only the last
four digits remain, as on the employee page ("••••-•••9622"). The live push reads the values it
sends from the employee at push time, never from these copies.

A plan is the one copy a job still needs in full: applying it writes Fortnox's bank account into
Brygga and Brygga's into Fortnox, as compared when it was planned. Those values travel `sealed`
(encrypted with the key that protects the Fortnox tokens) beside the masked ones, and are
dropped when the run finishes. A link's last synced values need only tell whether such a value
changed: they keep its `fingerprint` (a keyed hash and the masked form). `purge_expired`, a daily job, removes the copies themselves after
`PERSONAL_DATA_RETENTION_DAYS`.
"""

import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from organizations.stored_text import StoredText, gettext_noop

from . import hooks
from .fields import decrypt, encrypt

MASK = "•"
KEPT_DIGITS = 4
# Fortnox's field names and Brygga's, with how many trailing digits stay readable: a clearing
# number names the bank, not the person, but with the account it is the account, so none of it.
SENSITIVE = {
    "ClearingNo": 0, "BankAccountNo": KEPT_DIGITS, "PersonalIdentityNumber": KEPT_DIGITS,
    "clearing_number": 0, "account_number": KEPT_DIGITS, "personal_identity_number": KEPT_DIGITS,
    "bank_account": KEPT_DIGITS,  # the synced field: [clearing number, account number]
}
PURGE_SCHEDULE = "Personal data purge"
SEALED = "sealed"


def mask_number(value, kept: int = KEPT_DIGITS) -> str:
    """Every digit but the last `kept` replaced by •; other characters stay (so "19850101-1234"
    reads "••••••••-1234"). A number no longer than `kept` is masked whole; masking twice changes
    nothing."""
    text = "" if value is None else str(value)
    digits = sum(character.isdigit() or character == MASK for character in text)
    shown, masked = 0, []
    for character in reversed(text):
        if character.isdigit():
            shown += 1
            masked.append(character if shown <= kept and digits > kept else MASK)
        else:
            masked.append(character)
    return "".join(reversed(masked))


def _masked_value(key, value):
    if is_fingerprint(value):
        return value
    kept = SENSITIVE[key]
    if key == "bank_account" and isinstance(value, list | tuple) and len(value) == 2:
        return [mask_number(value[0], 0), mask_number(value[1], kept)]
    if isinstance(value, list | tuple):
        return [mask_number(part, kept) for part in value]
    return value if value in (None, "") else mask_number(value, kept)


def masked(value):
    """A copy of a JSON value with every sensitive value masked, at any depth."""
    if isinstance(value, dict):
        return {key: _masked_value(key, item) if key in SENSITIVE else masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def is_masked(value) -> bool:
    return MASK in json.dumps(value, ensure_ascii=False)


def sensitive_texts(values: dict) -> list[str]:
    """The sensitive values among `values` (any depth), as the texts a message could quote."""
    found = []
    for key, item in values.items():
        if key in SENSITIVE:
            found += [str(part) for part in (item if isinstance(item, list | tuple) else [item]) if part]
        elif isinstance(item, dict):
            found += sensitive_texts(item)
    return found


def redacted(text: str, values: dict) -> str:
    """`text` with each sensitive value of `values` it quotes masked (a validation message names
    the account number it refuses; Fortnox's may too)."""
    for secret in sorted(sensitive_texts(values), key=len, reverse=True):
        if len(secret) > KEPT_DIGITS:
            text = text.replace(secret, mask_number(secret))
    return text


# A Swedish personal identity or coordination number as a message may quote it (YYMMDD-NNNN,
# YYYYMMDDNNNN, ...); a ten-digit bank account number looks the same and is masked too.
IDENTITY_NUMBER = re.compile(r"(?<!\d)(?:\d{2})?\d{6}[-+]?\d{4}(?!\d)")


def without_identity_numbers(text: str) -> str:
    """`text` with every personal identity number it quotes masked: Fortnox's refusal of one names
    it ("Ogiltigt personnummer …: 19850101-1234."), and such texts are kept in the error log."""
    return IDENTITY_NUMBER.sub(lambda match: mask_number(match.group()), text)


class MaskedJSONField(models.JSONField):
    """A JSON field whose sensitive values are masked on every write; the instance holds the
    masked copy after a save too, so no later code reads the full value from it by mistake."""

    def pre_save(self, model_instance, add):
        value = masked(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return super().get_prep_value(masked(value))


# --- values compared, not kept: the last synced values of a link -------------------------------

FINGERPRINT = "fingerprint"


def fingerprint(key, value):
    """What a link remembers of a sensitive value both sides agreed on: whether it changed is all
    the three-way comparison asks, so the value itself is not kept, only its masked form (for
    people reading the link) and a keyed hash to compare with. The key is the one that protects the
    Fortnox tokens, so a database dump alone cannot test guessed numbers against the hash. Other
    values, empty ones and fingerprints are returned as they are."""
    if key not in SENSITIVE or value in (None, "") or is_fingerprint(value):
        return value
    digest = salted_hmac(f"brygga.last_synced_values.{key}", json.dumps(value, ensure_ascii=False),
                         secret=settings.FIELD_ENCRYPTION_KEY, algorithm="sha256").hexdigest()
    return {"masked": _masked_value(key, value), FINGERPRINT: digest}


def is_fingerprint(value) -> bool:
    return isinstance(value, dict) and FINGERPRINT in value


def fingerprinted(values: dict) -> dict:
    """`values` as a link keeps them: each sensitive one as its fingerprint."""
    return {key: fingerprint(key, value) for key, value in values.items()}


class FingerprintedJSONField(models.JSONField):
    """A JSON object whose sensitive values are kept as fingerprints on every write (save, create,
    update); the instance holds the fingerprinted copy after a save too."""

    def pre_save(self, model_instance, add):
        value = self._fingerprinted(super().pre_save(model_instance, add))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        return super().get_prep_value(self._fingerprinted(value))

    @staticmethod
    def _fingerprinted(value):
        return fingerprinted(value) if isinstance(value, dict) else value


# --- a plan's values, sealed for the job that applies it ----------------------------------------

SIDES = ("brygga", "fortnox")


def sealed(person: dict) -> dict:
    """A plan entry to store: its sensitive values also sealed, its problems quoting none of them."""
    secret = {side: {key: value for key, value in person.get(side, {}).items() if key in SENSITIVE and value}
              for side in SIDES}
    if SEALED in person or not any(secret.values()):
        return person
    return {**person, SEALED: encrypt(json.dumps(secret)),
            "problems": [_redacted_problem(problem, secret) for problem in person.get("problems", [])]}


def _redacted_problem(problem, secret: dict):
    """A stored problem (a stored text's data, or an old plan's plain text) with the sensitive
    values it quotes masked, still in every language."""
    text = StoredText.from_data(problem)
    masked_text = StoredText.each_language(lambda: redacted(str(text), secret))
    return problem if masked_text == StoredText.each_language(str, text) else masked_text.to_data()


def unsealed(person: dict) -> dict:
    """A stored plan entry with its sensitive values as planned; ValueError when the plan no
    longer holds them (it was kept too long), so that a masked value is never written anywhere."""
    secret = json.loads(decrypt(person[SEALED])) if person.get(SEALED) else {}
    whole = {**person, **{side: {**person.get(side, {}), **secret.get(side, {})} for side in SIDES}}
    if any(is_masked({key: value}) for side in SIDES for key, value in whole[side].items() if key in SENSITIVE):
        raise ValueError(_("The plan no longer holds this person's bank account or personal identity number: "
                           "synchronise again."))
    return whole


def sealed_plan(plan: dict) -> dict:
    return {**plan, "people": [sealed(person) for person in plan["people"]]}


def without_sealed(plan: dict) -> dict:
    return {**plan, "people": [{key: value for key, value in person.items() if key != SEALED} for person in plan["people"]]}


# --- the daily purge ------------------------------------------------------------------------------


def retention_cutoff():
    return timezone.now() - timedelta(days=settings.PERSONAL_DATA_RETENTION_DAYS)


def purge_expired() -> dict:
    """The daily job: copies of what was sent and sync plans older than the retention period are
    removed (what a run did, its counts, failures and log stay); a plan nobody applied in that
    time is given up. Returns how many of each were purged."""
    from .models import IntegrationError, OutboxEvent, SyncRun

    cutoff = retention_cutoff()
    purged = {"outbox_events": 0, "integration_errors": 0, "sync_runs": 0}
    events = OutboxEvent.objects.filter(
        created_at__lt=cutoff, status__in=[OutboxEvent.Status.DONE, OutboxEvent.Status.FAILED], payload__has_key="sent",
    )
    for event in events.only("pk", "payload").iterator():
        event.payload = {key: value for key, value in event.payload.items() if key != "sent"}
        event.save(update_fields=["payload"])
        purged["outbox_events"] += 1
    purged["integration_errors"] = IntegrationError.objects.filter(created_at__lt=cutoff).exclude(sent={}).update(sent={})
    runs = SyncRun.objects.filter(
        kind__in=hooks.plan_run_kinds, created_at__lt=cutoff, status__in=[*SyncRun.FINISHED, SyncRun.Status.PLANNED],
        data__has_key="plan",
    )
    for run in runs.select_related("organization"):
        _purge_plan(run)
        purged["sync_runs"] += 1
    return purged


@transaction.atomic
def _purge_plan(run) -> None:
    run.data = {key: value for key, value in run.data.items() if key != "plan"}
    run.save(update_fields=["data"])
    if run.status == run.Status.PLANNED:
        run.finish(run.Status.ABANDONED, error=StoredText(gettext_noop(
            "Not applied within %(days)s days, so its plan was removed with the personal data in it: synchronise again."
        ), days=settings.PERSONAL_DATA_RETENTION_DAYS))


def ensure_purge_schedule(**kwargs) -> None:
    """post_migrate: the daily purge's schedule exists exactly once (also after a test flush)."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(
        name=PURGE_SCHEDULE,
        defaults={"func": "integrations.core.personal_data.purge_expired", "schedule_type": Schedule.DAILY, "repeats": -1},
    )
