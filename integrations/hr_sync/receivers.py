"""Listens to HR changes and turns them into outbox events (`push` sends them).

Changes signalled with origin "external" came from Fortnox (a user synchronisation or the
scheduled pull applying them) and are not pushed back. Nothing is pushed before the HR
integration is activated.
"""

from django.dispatch import receiver

from hr import signals as hr_signals
from hr.models import Origin
from integrations.core import outbox
from integrations.core.models import ExternalLink

from . import fields as hr_fields
from .links import EMPLOYEE_LINK
from .models import HrIntegrationSettings


@receiver(hr_signals.employee_changed, dispatch_uid="integrations.employee_changed")
def employee_changed(sender, employee, changed_fields, created, origin, **kwargs):
    if origin == Origin.EXTERNAL:
        return
    settings = HrIntegrationSettings.objects.for_organization(employee.organization_id).first()
    if settings is None or not settings.is_active:
        return
    link = None if created else ExternalLink.link_of(employee, EMPLOYEE_LINK)
    if link is not None:
        fields = hr_fields.synced_fields_changed(changed_fields)
        if fields:
            outbox.record(employee, "employee_update", {"fields": fields})
    elif settings.create_employees and employee.active:
        outbox.record(employee, "employee_create")
