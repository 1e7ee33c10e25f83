from django.core.management.base import BaseCommand
from django.db import transaction

from organizations.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organization with a user for every role. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        logins = load_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for role, email in logins:
            self.stdout.write(f"  {role:<22} {email}")
