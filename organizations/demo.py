"""Demo data: one organization, a user per role, and whatever each app adds through
`DEMO_LOADERS` (a list of callables taking the organization), so this module knows no app."""

from importlib.util import find_spec

from django.utils.module_loading import import_string

from .models import Membership, Organization, User
from .permissions import Role

DEMO_PASSWORD = "brygga-demo-2026"
DEMO_ORGANISATION_NUMBER = "556036-0793"

DEMO_USERS = [
    (Role.ORG_ADMIN, "admin@demo.brygga.se", "Astrid", "Lindqvist"),
    (Role.HR_ADMIN, "hr@demo.brygga.se", "Håkan", "Öberg"),
    (Role.MANAGER, "chef@demo.brygga.se", "Märta", "Åström"),
    (Role.EMPLOYEE, "anstalld@demo.brygga.se", "Erik", "Sjöberg"),
    (Role.WAREHOUSE, "lager@demo.brygga.se", "Lena", "Ek"),
]

# Each app appends a dotted path here when it has demo data to add (see the apps' demo modules).
DEMO_LOADERS = [
    "hr.demo.load",
    "warehouse.demo.load",
    "integrations.demo.load",
]


def load_demo(stdout=None):
    organization, _ = Organization.objects.get_or_create(
        organisation_number=DEMO_ORGANISATION_NUMBER, defaults={"name": "Demo AB", "language": "sv"}
    )
    logins = []
    for role, email, first, last in DEMO_USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, first_name=first, last_name=last)
        if role == Role.ORG_ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": role})
        logins.append((Role(role).label, email))
    for path in DEMO_LOADERS:
        if find_spec(path.rpartition(".")[0]) is None:
            continue  # that app has no demo data yet
        import_string(path)(organization, stdout=stdout)
    return logins
