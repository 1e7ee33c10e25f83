import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fortnox_sandbox.actions import do_create_demo_company
from fortnox_sandbox.errors import FortnoxError
from fortnox_sandbox.models import BUILTIN_WEBHOOK_PATH, OAuthClient
from fortnox_sandbox.resources import employees


class Command(BaseCommand):
    help = "Create or refresh the Fortnox sandbox's demo company, its data and its consent-page login."

    def add_arguments(self, parser):
        parser.add_argument("--company", default="Demobolaget Brygga AB", help="Company name (found or created).")
        parser.add_argument("--username", default="demo@fortnox.sandbox")
        parser.add_argument("--password", default="fortnox-demo")
        parser.add_argument("--size", type=int, default=300, help="Number of employees (other data scales with it).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--employees", dest="employees_file", metavar="JSON_FILE",
            help='Also create or update these employees: a JSON list of Fortnox Employee documents (or {"Employees": [...]}).',
        )
        parser.add_argument(
            "--keep-data", action="store_true",
            help="Leave an existing company's data, keys and request log as they are (a restarted demo stays connected).",
        )

    def handle(self, *args, company, username, password, size, seed, employees_file, keep_data, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The Fortnox sandbox is disabled (a real Fortnox client is configured).")
        if not 1 <= size <= 5000:
            raise CommandError("--size must be between 1 and 5000.")
        extra = read_employees(employees_file) if employees_file else []
        with transaction.atomic():
            demo, user, seeded = do_create_demo_company(company, username, password, size, seed, keep_data=keep_data)
            try:
                employees.upsert(demo, extra if seeded else [])
            except FortnoxError as error:
                raise CommandError(f"{employees_file}: {error.message}") from None
        webhook = register_builtin_webhook()
        from_file = f" and {len(extra)} from {employees_file}" if extra else ""
        data = f"with {size} generated employees{from_file}" if seeded else "kept as it was (--keep-data)"
        self.stdout.write(
            f"Fortnox sandbox: {demo.name} (DatabaseNumber {demo.database_number}) {data}.\n"
            f"  Consent-page login: {user.username} / {password}\n"
            f"  Control panel: {settings.SITE_URL}/sandbox/fortnox/_control/\n"
            f"  Consent webhooks of the built-in app go to: {webhook or '(none)'}"
        )


def register_builtin_webhook() -> str:
    """The demo's developer-portal setting: Brygga's built-in app sends consent webhooks to Brygga
    (kept if someone set another URL in the control panel)."""
    client = OAuthClient.objects.ensure_builtin()
    if client is None:
        return ""
    if not client.webhook_url:
        client.webhook_url = f"{settings.SITE_URL}{BUILTIN_WEBHOOK_PATH}"
        client.save(update_fields=["webhook_url"])
    return client.webhook_url


def read_employees(path: str) -> list:
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read the employees file {path}: {error}") from None
    documents = data.get("Employees") if isinstance(data, dict) else data
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise CommandError(f'{path}: expected a JSON list of Employee documents, or {{"Employees": [...]}}.')
    return documents
