"""Writes with side effects, shared by the control panel, the JSON control API and the seed command."""

from django.db import transaction
from django.db.models import Max

from .models import Company, RateEvent, Record, RequestLog, SandboxUser, Sequence, Token
from .seeding import seed


def next_database_number() -> int:
    return (Company.objects.aggregate(highest=Max("database_number"))["highest"] or 1000000) + 1


@transaction.atomic
def do_reset_company(company: Company):
    """Empties the company's data, keys and log; its switches and users stay."""
    Record.objects.filter(company=company).delete()
    Sequence.objects.filter(company=company).delete()
    Token.objects.filter(company=company).delete()
    RateEvent.objects.filter(company=company).delete()
    RequestLog.objects.filter(company=company).delete()
    company.fault_counter = 0
    company.save(update_fields=["fault_counter"])


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
