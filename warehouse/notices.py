"""The customer's notice that an order was sent (issue 23): an email and/or a text message, in
the customer's language, with the transporter service and the delivered rows.

At most once per order and channel: `CustomerNotice` is unique on (order, channel) and made in
the transaction that reports the order fulfilled (`queue_notices`), so a double click or a retried
request finds it there. Sending happens on the job cluster (`send_due`) after commit; a worker
claims a notice with a conditional UPDATE, so two workers never send the same one. A claim whose
worker died is not sent again on its own: the message may have left, and a customer told twice
is worse than staff told to check. Failures are counted and bounded (`MAX_ATTEMPTS`), and shown on
the order, where staff can send a failed notice again once the cause is fixed.
"""

import logging
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationOwned

log = logging.getLogger("warehouse.notices")

MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=10)  # far longer than one email or SMS takes
SEND_TASK = "warehouse.notices.send_due"
SWEEP_SCHEDULE = "Customer notices"


class NoticeProblem(Exception):
    """A notice that cannot go out until someone fixes its cause (`problem` is the code)."""

    def __init__(self, problem, detail=""):
        super().__init__(problem)
        self.problem, self.detail = problem, detail


class CustomerNotice(OrganizationOwned):
    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # Stored as codes, shown in the reader's language.
    class Problem(models.TextChoices):
        NONE = "", ""
        NO_EMAIL = "no_email", _(
            "Neither the order nor its customer has an email address. Add one to the customer in Fortnox; after the "
            "next synchronisation, send the notice again.")
        NO_PHONE = "no_phone", _(
            "Neither the order nor its customer has a phone number. Add one to the customer in Fortnox; after the "
            "next synchronisation, send the notice again.")
        BAD_PHONE = "bad_phone", _("The phone number is not one a text message can go to.")
        SEND_FAILED = "send_failed", _("Sending failed every time it was tried; the last error is below.")
        INTERRUPTED = "interrupted", _(
            "Sending was interrupted, so the customer may or may not have it. Check with them before sending again.")

    order = models.ForeignKey("warehouse.SalesOrder", on_delete=models.CASCADE, related_name="notices",
                              verbose_name=_("order"))
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient = models.CharField(_("sent to"), max_length=254, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    problem = models.CharField(_("problem"), max_length=20, choices=Problem.choices, blank=True)
    detail = models.CharField(_("last error"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        ordering = ["order", "channel"]
        constraints = [models.UniqueConstraint(fields=["order", "channel"], name="customer_notice_once_per_channel")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="customer_notice_due")]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.order.order_number}"

    @property
    def can_send_again(self) -> bool:
        return self.status == self.Status.FAILED


# --- SMS backends -------------------------------------------------------------------------------


class ConsoleSMSBackend:
    """The default: writes the message to the server log instead of sending it."""

    def send(self, to: str, text: str) -> None:
        log.info("SMS to %s: %s", to, text)


class MemorySMSBackend:
    """For tests: keeps what was sent in `MemorySMSBackend.outbox`."""

    outbox: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.outbox.append((to, text))


def sms_backend():
    """`settings.SMS_BACKEND`: any class with `send(to, text)` that raises when the text did not go."""
    return import_string(settings.SMS_BACKEND)()


# --- what is sent -------------------------------------------------------------------------------


def recipient_for(order, channel) -> str:
    if channel == CustomerNotice.Channel.EMAIL:
        address = order.delivery_email or order.customer.email
        if not address:
            raise NoticeProblem(CustomerNotice.Problem.NO_EMAIL)
        return address
    phone = order.delivery_phone or order.customer.phone
    if not phone:
        raise NoticeProblem(CustomerNotice.Problem.NO_PHONE)
    try:
        number = phonenumbers.parse(phone, "SE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise NoticeProblem(CustomerNotice.Problem.BAD_PHONE, phone)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def message_context(order) -> dict:
    from .delivery_note import note_rows
    from .shipping import ShippingSettings

    return {"order": order, "rows": [row for row in note_rows(order) if row["delivered"]],
            "service": order.transporter_service,
            "sender": ShippingSettings.get_or_create_for(order.organization).sender_lines()}


def deliver(notice: CustomerNotice) -> str:
    """Send one notice now; returns the recipient. Raises NoticeProblem or the backend's error."""
    order = notice.order
    recipient = recipient_for(order, notice.channel)
    with translation.override(order.customer_language):
        context = message_context(order)
        if notice.channel == CustomerNotice.Channel.EMAIL:
            subject = render_to_string("warehouse/email/order_sent_subject.txt", context).strip()
            body = render_to_string("warehouse/email/order_sent_body.txt", context)
            EmailMessage(subject, body, to=[recipient]).send()
        else:
            sms_backend().send(recipient, render_to_string("warehouse/email/order_sent_sms.txt", context).strip())
    return recipient


# --- queueing and sending -----------------------------------------------------------------------


def enqueue_send() -> None:
    from django_q.tasks import async_task

    async_task(SEND_TASK, group="customer-notices")


def queue_notices(order) -> list[CustomerNotice]:
    """Inside the transaction that marks `order` sent: its notices, per the settings and its own
    choice. Existing ones are left alone (never twice)."""
    from .shipping import ShippingSettings

    settings_ = ShippingSettings.get_or_create_for(order.organization)
    notices = []
    for channel in CustomerNotice.Channel.values:
        if settings_.notifies(order, channel):
            notice, _created = CustomerNotice.objects.get_or_create(
                order=order, channel=channel, defaults={"organization_id": order.organization_id})
            notices.append(notice)
    if notices:
        transaction.on_commit(enqueue_send)
    return notices


def do_send_again(notice: CustomerNotice) -> CustomerNotice:
    """Staff fixed the cause of a failed notice: try it afresh. Only a failed one, so a notice
    that was sent is never sent again."""
    updated = CustomerNotice.objects.filter(pk=notice.pk, status=CustomerNotice.Status.FAILED).update(
        status=CustomerNotice.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), problem="", detail="",
        claimed_at=None)
    if updated:
        transaction.on_commit(enqueue_send)
    notice.refresh_from_db()
    return notice


def claim_next() -> CustomerNotice | None:
    """Take the oldest due notice for this worker: a conditional UPDATE (pending → sending) that
    only one of two racing workers wins."""
    while True:
        candidate = CustomerNotice.objects.filter(
            status=CustomerNotice.Status.PENDING, next_attempt_at__lte=timezone.now()).order_by("pk").first()
        if candidate is None:
            return None
        won = CustomerNotice.objects.filter(pk=candidate.pk, status=CustomerNotice.Status.PENDING).update(
            status=CustomerNotice.Status.SENDING, claimed_at=timezone.now(), attempts=models.F("attempts") + 1)
        if won:
            return CustomerNotice.objects.select_related(
                "order__customer", "order__organization", "order__transporter_service__transporter").get(pk=candidate.pk)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 4 ** (attempts - 1)))  # 30 s, 2 min, 8 min, 32 min


def send_one(notice: CustomerNotice) -> None:
    try:
        recipient = deliver(notice)
    except NoticeProblem as problem:
        notice.status, notice.problem, notice.detail = CustomerNotice.Status.FAILED, problem.problem, problem.detail
    except Exception as error:  # whatever the mail server or SMS gateway raised: counted, bounded
        log.warning("Customer notice %s failed (attempt %s)", notice.pk, notice.attempts, exc_info=True)
        notice.detail = f"{type(error).__name__}: {error}"[:500]
        if notice.attempts >= MAX_ATTEMPTS:
            notice.status, notice.problem = CustomerNotice.Status.FAILED, CustomerNotice.Problem.SEND_FAILED
        else:
            notice.status, notice.next_attempt_at = CustomerNotice.Status.PENDING, timezone.now() + retry_delay(
                notice.attempts)
    else:
        notice.status, notice.recipient, notice.sent_at = CustomerNotice.Status.SENT, recipient, timezone.now()
        notice.problem = notice.detail = ""
    notice.save(update_fields=["status", "recipient", "sent_at", "problem", "detail", "next_attempt_at"])


def send_due() -> int:
    """Job: send every due notice; how many were tried."""
    tried = 0
    while (notice := claim_next()) is not None:
        send_one(notice)
        tried += 1
    return tried


def sweep() -> int:
    """Every minute: claims whose worker died fail (they may have gone out, so never resent on
    their own), then whatever is due is sent."""
    CustomerNotice.objects.filter(
        status=CustomerNotice.Status.SENDING, claimed_at__lt=timezone.now() - STALE_CLAIM,
    ).update(status=CustomerNotice.Status.FAILED, problem=CustomerNotice.Problem.INTERRUPTED)
    return send_due()


def ensure_sweep_schedule(**kwargs) -> None:
    """post_migrate: the sweeper's schedule exists exactly once."""
    from django_q.models import Schedule

    Schedule.objects.get_or_create(name=SWEEP_SCHEDULE, defaults={
        "func": "warehouse.notices.sweep", "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1})
