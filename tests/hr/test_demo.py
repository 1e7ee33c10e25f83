from hr import demo
from hr.models import Absence, AbsenceStatus, Employee
from organizations.demo import DEMO_USERS
from organizations.models import Membership, Organization, User


def test_the_demo_is_idempotent_and_links_the_demo_logins(db):
    organization = Organization.objects.create(name="Demo AB", organisation_number="556036-0793")
    for role, email, _first, _last in DEMO_USERS:
        Membership.objects.create(organization=organization, role=role, user=User.objects.create_user(email=email))
    demo.load(organization)
    counts = (Employee.objects.count(), Absence.objects.count())
    demo.load(organization)
    assert (Employee.objects.count(), Absence.objects.count()) == counts
    assert counts[0] == 40
    assert set(Absence.objects.values_list("status", flat=True)) == set(AbsenceStatus.values)
    erik = Employee.objects.get(user__email="anstalld@demo.brygga.se")
    assert erik.manager.user.email == "chef@demo.brygga.se"
    linked = set(Employee.objects.exclude(user=None).values_list("user__email", flat=True))
    assert {"admin@demo.brygga.se", "hr@demo.brygga.se", "lager@demo.brygga.se"} <= linked
    assert all(e.account_number for e in Employee.objects.all())
