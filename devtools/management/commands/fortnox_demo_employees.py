import json

from django.core.management.base import BaseCommand, CommandError

from devtools.demo_fortnox import fortnox_employees
from organizations.demo import DEMO_ORGANISATION_NUMBER
from organizations.models import Organization


class Command(BaseCommand):
    help = ("Write the demo organization's employees as Fortnox Employee documents, with deliberate drift "
            "(for `sandbox_seed --employees`), so the demo's first user synchronisation has something to decide.")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The JSON file to write.")

    def handle(self, *args, output, **options):
        organization = Organization.objects.filter(organisation_number=DEMO_ORGANISATION_NUMBER).first()
        if organization is None:
            raise CommandError("There is no demo organization: run `manage.py load_demo` first.")
        documents = fortnox_employees(organization)
        try:
            with open(output, "w", encoding="utf-8") as file:
                json.dump({"Employees": documents}, file, ensure_ascii=False, indent=1)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error}") from None
        self.stdout.write(f"{len(documents)} Fortnox employees written to {output}.")
