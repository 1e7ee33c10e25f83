"""Events of one object are pushed one at a time, oldest first: each push sends the object's
values as they are when it runs, so overlapping pushes could let older values land last."""

from django.contrib.contenttypes.models import ContentType

from integrations.core.models import OutboxEvent
from integrations.core.outbox import claim_next
from tests.support.hr_sync import employee


def event_for(obj, kind="employee_update"):
    return OutboxEvent.objects.create(
        organization_id=obj.organization_id, kind=kind, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
    )


def test_a_second_change_of_one_employee_waits_while_the_first_is_being_pushed(tenant):
    anna = employee(tenant.organization, email="anna@alfa.test")
    bo = employee(tenant.organization, email="bo@alfa.test", employment_id="1002")
    first, second, other = event_for(anna), event_for(anna), event_for(bo)

    assert claim_next() == first
    assert claim_next() == other  # another employee's change is not held up
    assert claim_next() is None  # anna's second change waits for her first

    first.status = OutboxEvent.Status.DONE
    first.save(update_fields=["status"])
    assert claim_next() == second


def test_a_later_change_never_overtakes_an_earlier_one_that_waits_for_a_retry(tenant):
    from datetime import timedelta

    from django.utils import timezone

    anna = employee(tenant.organization, email="anna@alfa.test")
    first, second = event_for(anna), event_for(anna)
    first.next_attempt_at = timezone.now() + timedelta(minutes=5)
    first.save(update_fields=["next_attempt_at"])

    assert claim_next() is None
    second.refresh_from_db()
    assert second.status == OutboxEvent.Status.PENDING
