from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from integrations.sandbox.actions import do_create_demo_company


class Command(BaseCommand):
    help = "Create or refresh the Fortnox sandbox's demo company, its data and its consent-page login."

    def add_arguments(self, parser):
        parser.add_argument("--company", default="Demobolaget Brygga AB", help="Company name (found or created).")
        parser.add_argument("--username", default="demo@fortnox.sandbox")
        parser.add_argument("--password", default="fortnox-demo")
        parser.add_argument("--size", type=int, default=300, help="Number of employees (other data scales with it).")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")

    def handle(self, *args, company, username, password, size, seed, **options):
        if not settings.SANDBOX_ENABLED:
            raise CommandError("The Fortnox sandbox is disabled (a real Fortnox client is configured).")
        if not 1 <= size <= 5000:
            raise CommandError("--size must be between 1 and 5000.")
        demo, user = do_create_demo_company(company, username, password, size, seed)
        self.stdout.write(
            f"Fortnox sandbox: {demo.name} (DatabaseNumber {demo.database_number}) with {size} employees.\n"
            f"  Consent-page login: {user.username} / {password}\n"
            f"  Control panel: {settings.SITE_URL}/sandbox/fortnox/_control/"
        )
