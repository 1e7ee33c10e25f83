"""Writes with side effects, shared by the control panel, the JSON control API and the seed command."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .models import Company, Consent, RateEvent, Record, RequestLog, SandboxUser, Sequence, Token
from .seeding import seed
from .webhooks import CREATED, REVOKED, send_consent_webhook


def next_database_number() -> int:
    return (Company.objects.aggregate(highest=Max("database_number"))["highest"] or 1000000) + 1


@transaction.atomic
def do_reset_company(company: Company):
    """Empties the company's data, keys and log; its switches, users and service-account
    consents stay (a consent ends only when revoked, as in Fortnox)."""
    Record.objects.filter(company=company).delete()
    Sequence.objects.filter(company=company).delete()
    Token.objects.filter(company=company).delete()
    RateEvent.objects.filter(company=company).delete()
    RequestLog.objects.filter(company=company).delete()
    company.fault_counter = 0
    company.save(update_fields=["fault_counter"])


@transaction.atomic
def do_give_service_consent(client, user, scopes: list[str]) -> Consent:
    """A system administrator approves the app as a service account: one per client id and
    company, so approving again renews (and, after a revocation, restores) the same consent."""
    company = user.company
    consent, _ = Consent.objects.select_for_update().update_or_create(
        client=client, company=company,
        defaults={"approved_by": user, "scopes": " ".join(scopes), "modules": sorted(company.modules),
                  "created": timezone.now(), "revoked": None},
    )
    send_consent_webhook(CREATED, consent)
    return consent


@transaction.atomic
def do_revoke_consent(consent: Consent) -> bool:
    """The customer withdraws the service account: its tokens stop working at once and the app
    hears of it by webhook. Returns False when it was already revoked (no second webhook)."""
    if not Consent.objects.filter(pk=consent.pk, revoked__isnull=True).update(revoked=timezone.now()):
        return False
    Token.objects.filter(client=consent.client, company=consent.company, service_account=True).update(revoked=True)
    consent.refresh_from_db(fields=["revoked"])
    send_consent_webhook(REVOKED, consent)
    return True


def do_seed_company(company: Company, size: int = 300, seed_value: int = 1) -> list[str]:
    with transaction.atomic():
        do_reset_company(company)
        return seed(company, size=size, seed_value=seed_value)


def do_create_demo_company(name: str, username: str, password: str, size: int, seed_value: int = 1,
                           keep_data: bool = False):
    """The demo's company and its consent-page login, created or refreshed (idempotent). With
    `keep_data` an existing company keeps its data, keys and log; returns whether it was seeded."""
    company = Company.objects.filter(name=name).first()
    seeding = company is None or not keep_data
    company = company or Company.objects.create(
        name=name, database_number=next_database_number(), organisation_number="556677-8899",
        address="Hamngatan 4", zip_code="41117", city="Göteborg", warehouse_licence=True,
        purchase_orders_licence=True, stock_points_enabled=True,
    )
    user = SandboxUser.objects.filter(username=username).first() or SandboxUser(username=username, company=company)
    user.company, user.name = company, "Demo Administratör"
    user.set_password(password)
    user.save()
    if seeding:
        do_seed_company(company, size=size, seed_value=seed_value)
    return company, user, seeding
