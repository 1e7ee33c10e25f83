"""A user-sync plan and a refused start are read in the reader's language, not the language of the
admin who read Fortnox: why a person is skipped, and why a synchronisation may not start. Plans
and runs stored before (plain text) still show as written."""

import pytest
from django.urls import reverse
from django.utils import translation

from integrations.core.models import SyncRun
from integrations.hr_sync.apply import UserSyncRefused, do_start_user_sync
from integrations.hr_sync.plan import RUN_KIND, build_plan
from tests.support.hr_sync import employee

NO_EMAIL = "This Fortnox employee has no email address, which Brygga needs to match people. Add it in Fortnox."
TAKEN = "Employment ID 1001 is already used by Fortnox employee 1001: change one of them."
RUNNING = "A user synchronisation is already running; here it is."


def in_swedish(msgid: str, **params) -> str:
    with translation.override("sv"):
        words = translation.gettext(msgid)
    assert words != msgid  # the catalogue has it, so the language shows
    return words % params if params else words


def as_reader(user, language: str):
    user.language = language
    user.save(update_fields=["language"])
    return user


def planned(organization, plan) -> SyncRun:
    return SyncRun.objects.create(organization=organization, kind=RUN_KIND, status=SyncRun.Status.PLANNED, data={"plan": plan})


@pytest.fixture
def plan_read_in(tenant):
    """A plan read by an admin speaking `language`: one Fortnox employee without email, one Brygga
    employee whose employment ID Fortnox already uses, one with an invalid bank account."""
    anna = employee(tenant.organization, email="anna@alfa.test", employment_id="1001")

    def read(language: str) -> SyncRun:
        documents = [{"EmployeeId": "7", "FirstName": "Bo", "LastName": "Ek", "Email": ""},
                     {"EmployeeId": "1001", "FirstName": "Cilla", "LastName": "Berg", "Email": "cilla@alfa.test",
                      "ClearingNo": "8327", "BankAccountNo": "12"}]
        with translation.override(language):
            return planned(tenant.organization, build_plan(tenant.organization, documents))

    read.anna = anna
    return read


def test_skip_reasons_of_a_plan_read_in_swedish_show_in_english_to_an_english_reader(plan_read_in, tenant, client_for):
    run = plan_read_in("sv")
    page = client_for(as_reader(tenant.owner, "en")).get(reverse("hr_sync_review", args=[run.pk])).content.decode()
    assert NO_EMAIL in page and TAKEN in page
    assert "Fortnox&#x27;s Bank account cannot be used" in page
    assert in_swedish(NO_EMAIL) not in page and "Bankkonto" not in page


def test_skip_reasons_of_a_plan_read_in_english_show_in_swedish_to_a_swedish_reader(plan_read_in, tenant, client_for):
    run = plan_read_in("en")
    page = client_for(as_reader(tenant.owner, "sv")).get(reverse("hr_sync_review", args=[run.pk])).content.decode()
    assert in_swedish(NO_EMAIL) in page
    assert in_swedish("%(field)s %(value)s is already used by Fortnox employee %(others)s: change one of them.",
                      field=in_swedish("Employment ID"), value="1001", others="1001") in page
    assert in_swedish("Bank account") in page
    assert NO_EMAIL not in page and TAKEN not in page


def test_a_plan_stored_with_plain_text_problems_still_shows_them(tenant, client_for):
    values = {"email": "", "employment_id": "", "given_name": "Bo", "family_name": "Ek"}
    run = planned(tenant.organization, {"fortnox_count": 1, "brygga_count": 0, "people": [
        {"key": "f7", "section": "unmatchable", "employee": None, "external_id": "7", "name": "Bo Ek",
         "brygga": {}, "fortnox": values, "problems": ["Den här anställda saknar e-post."]},
        {"key": "f8", "section": "only_fortnox", "employee": None, "external_id": "8", "name": "Di Ek",
         "brygga": {}, "fortnox": values, "problems": ["Phone 070 is taken."]},
    ]})
    page = client_for(as_reader(tenant.owner, "en")).get(reverse("hr_sync_review", args=[run.pk])).content.decode()
    assert "Den här anställda saknar e-post." in page and "Phone 070 is taken." in page


def test_a_start_refused_for_a_swedish_admin_reads_in_english_to_an_english_reader(tenant, client_for):
    running = SyncRun.objects.create(organization=tenant.organization, kind=RUN_KIND, status=SyncRun.Status.QUEUED)
    run = planned(tenant.organization, {"people": [], "fortnox_count": 0, "brygga_count": 0})
    with translation.override("sv"), pytest.raises(UserSyncRefused) as refused:
        do_start_user_sync(run, {})
    assert refused.value.running == running
    with translation.override("sv"):  # the admin who started it is told in their language
        assert str(refused.value.message) == in_swedish(RUNNING)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.ABANDONED

    english = client_for(as_reader(tenant.owner, "en")).get(reverse("hr_sync_run", args=[run.pk])).content.decode()
    assert RUNNING in english and in_swedish(RUNNING) not in english
    swedish = client_for(as_reader(tenant.owner, "sv")).get(reverse("hr_sync_run", args=[run.pk])).content.decode()
    assert in_swedish(RUNNING) in swedish


def test_a_refusal_stored_as_plain_text_still_shows(tenant, client_for):
    run = SyncRun.objects.create(organization=tenant.organization, kind=RUN_KIND, status=SyncRun.Status.ABANDONED,
                                 error="En synkronisering pågår redan.")
    page = client_for(as_reader(tenant.owner, "en")).get(reverse("hr_sync_run", args=[run.pk])).content.decode()
    assert "En synkronisering pågår redan." in page
