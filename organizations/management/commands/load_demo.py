from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from organizations.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organization with a user for every role. Safe to run again."

    def handle(self, *args, **options):
        # The demo's invented requests and decisions notify people as real ones would; their
        # emails would bury the logins in the console, so they go nowhere (the bells keep them).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            logins = load_demo(stdout=self.stdout)
        # The console is read by whoever started the demo, in the README's language.
        with translation.override("en"):
            roles = [str(role) for role, _email in logins]
        width = max(map(len, roles))
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for role, (_role, email) in zip(roles, logins):
            self.stdout.write(f"  {role:<{width}}  {email}")
