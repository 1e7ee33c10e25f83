"""Issue 15, defect 2: on the conflict page the most specific decision wins (a field's over the
person's over everyone's), and before anything is applied the page sums up what the choices do and
names the specific choices that override a general one. Against the sandbox over real HTTP, with a
real job cluster applying the run."""

import pytest
from django.urls import reverse

from hr.models import Employee
from integrations.core.models import SyncRun
from tests.support.hr_sync import review_then_apply
from tests.support.processes import wait_for

pytestmark = pytest.mark.slow


def test_a_field_choice_beats_the_persons_and_the_persons_beats_everyones_and_the_page_says_so_first(
        three_people_in_conflict, fortnox, tenant, client_for, cluster):
    anna, bo, cecilia = three_people_in_conflict.values()
    client = client_for(tenant.owner)
    review = client.post(reverse("hr_sync"))["Location"]
    run = SyncRun.objects.get(organization=tenant.organization)
    choices = {"all": "brygga", f"field-m{anna.pk}-address": "fortnox", f"person-m{bo.pk}": "fortnox"}

    summary, applied = review_then_apply(client, review, choices)

    page = summary.content.decode()
    assert "3 values go to Fortnox" in page and "3 values come to Brygga" in page
    assert "Anna Berg, Address: Fortnox, instead of Brygga." in page
    assert "Bo Lind: Fortnox for all their conflicts, instead of Brygga for everyone." in page
    assert applied["Location"] == reverse("hr_sync_run", args=[run.pk])
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).is_finished)
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.SUCCEEDED

    in_fortnox = {doc["EmployeeId"]: doc for doc in fortnox.iterate("/3/employees")}
    annas = fortnox.get("/3/employees/1001")
    assert (annas["FirstName"], annas["Phone1"]) == ("Anna", "+46701111111")  # everyone: Brygga
    assert (annas["Address1"], annas["City"]) == ("Storgatan 1", "Stockholm")  # her address: Fortnox
    assert (in_fortnox["2001"]["FirstName"], fortnox.get("/3/employees/2001")["Phone1"]) == ("Bosse", "0709999999")
    assert in_fortnox["3001"]["FirstName"] == "Cecilia"
    for person in (anna, bo, cecilia):
        person.refresh_from_db()
    assert (anna.given_name, anna.street, anna.city) == ("Anna", "Storgatan 1", "Stockholm")
    assert (bo.given_name, bo.phone) == ("Bosse", "+46709999999")
    assert cecilia.given_name == "Cecilia"


def test_choices_changed_after_their_summary_are_summed_up_again_not_applied(three_people_in_conflict, tenant, client_for):
    anna, bo, _cecilia = three_people_in_conflict.values()
    client = client_for(tenant.owner)
    review = client.post(reverse("hr_sync"))["Location"]
    summary = client.post(review, {"all": "brygga"})
    assert "6 values go to Fortnox" in summary.content.decode()

    changed = client.post(review, {"all": "fortnox", "apply": summary.context["digest"]}, follow=True)

    page = changed.content.decode()
    assert "The choices changed after the summary was shown" in page and "6 values come to Brygga" in page
    assert SyncRun.objects.get(organization=tenant.organization).status == SyncRun.Status.PLANNED
    assert Employee.objects.get(pk=anna.pk).given_name == "Anna"
