"""How parcels leave the warehouse (issue 23): the ways and terms of delivery an order names (kept
in step with the ERP's registers), the transporters and their services, and the rules that give
an order its service."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationOwned


class DeliveryCode(OrganizationOwned):
    """A code an order's way or terms of delivery names, with the ERP's words for it."""

    code = models.CharField(_("code"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    description_english = models.CharField(_("description in English"), max_length=100, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.description}".strip()


class WayOfDelivery(DeliveryCode):
    class Meta(DeliveryCode.Meta):
        verbose_name = _("way of delivery")
        verbose_name_plural = _("ways of delivery")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="way_of_delivery_code_unique")]


class TermsOfDelivery(DeliveryCode):
    class Meta(DeliveryCode.Meta):
        verbose_name = _("terms of delivery")
        verbose_name_plural = _("terms of delivery")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="terms_of_delivery_code_unique")]
