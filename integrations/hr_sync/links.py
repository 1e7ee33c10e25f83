"""The link between a Brygga employee and their Fortnox employee, with the values both sides last agreed on."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from hr.models import Employee
from integrations.core.models import ExternalLink

EMPLOYEE_LINK = "employee"


def link_employee(employee, external_id, values) -> ExternalLink:
    link, _created = ExternalLink.objects.update_or_create(
        organization_id=employee.organization_id, kind=EMPLOYEE_LINK,
        content_type=ContentType.objects.get_for_model(Employee), object_id=employee.pk,
        defaults={"external_id": external_id, "last_synced_values": values, "synced_at": timezone.now()},
    )
    return link
