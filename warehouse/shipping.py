"""How parcels leave the warehouse (issue 23): the ways and terms of delivery an order names (kept
in step with the ERP's registers), the transporters and their services, and the rules that give
an order its service."""

import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext, gettext_lazy as _

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


class Transporter(OrganizationOwned):
    """A carrier (PostNord, DHL, Schenker) or the warehouse's own counter for pick-ups."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("transporter")
        verbose_name_plural = _("transporters")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="transporter_name_unique")]

    def __str__(self):
        return self.name


class TransporterService(OrganizationOwned):
    """One of a transporter's products an order leaves with (MyPack Collect, DHL Paket)."""

    transporter = models.ForeignKey(
        Transporter, on_delete=models.CASCADE, related_name="services", verbose_name=_("transporter")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("service code"), max_length=50, blank=True,
                            help_text=_("The transporter's code for the service, for labels and bookings."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("transporter service")
        verbose_name_plural = _("transporter services")
        ordering = ["transporter__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organization", "transporter", "name"],
                                               name="transporter_service_name_unique")]

    def __str__(self):
        return f"{self.transporter.name} {self.name}" if self.name != self.transporter.name else self.name


# Fortnox leaves an order's delivery country empty for a domestic one.
HOME_COUNTRY = "Sverige"
GRAMS_PER_KG = Decimal(1000)


@dataclass(frozen=True)
class Shipment:
    """What the rules look at on an order."""

    way_of_delivery: str
    terms_of_delivery: str
    order_kind: str  # "b2b", "b2c" or "" (no order type)
    country: str
    weight_kg: Decimal | None  # None: a stock article on the order has no weight

    @classmethod
    def of(cls, order, rows) -> "Shipment":
        """`rows` with their articles at hand (the order's, or ones not saved yet)."""
        pickable = [row for row in rows if row.is_pickable]
        weight = None
        if all(row.article.weight is not None for row in pickable):
            weight = sum((row.article.weight * row.ordered_quantity for row in pickable), Decimal(0)) / GRAMS_PER_KG
        return cls(order.way_of_delivery, order.terms_of_delivery, order.order_type.kind if order.order_type else "",
                   order.delivery_country or HOME_COUNTRY, weight)

    def describe(self) -> str:
        return gettext("way of delivery “%(way)s”, terms “%(terms)s”, %(kind)s, %(country)s, %(weight)s") % {
            "way": self.way_of_delivery, "terms": self.terms_of_delivery, "country": self.country,
            "kind": self.order_kind.upper() or gettext("no order type"),
            "weight": gettext("weight unknown") if self.weight_kg is None else f"{self.weight_kg.normalize():f} kg",
        }


class TransporterRule(OrganizationOwned):
    """Ordered; the first rule whose every filled-in condition holds gives the order its service."""

    position = models.PositiveIntegerField(_("position"), default=0)
    service = models.ForeignKey(
        TransporterService, on_delete=models.SET_NULL, null=True, blank=True, related_name="rules",
        verbose_name=_("service"), help_text=_("Empty when the service was deleted: choose another."),
    )
    way_of_delivery = models.CharField(_("way of delivery"), max_length=50, blank=True)
    terms_of_delivery = models.CharField(_("terms of delivery"), max_length=50, blank=True)
    order_kind = models.CharField(_("order type"), max_length=3, blank=True,
                                  choices=[("b2b", _("B2B")), ("b2c", _("B2C"))])
    delivery_country = models.CharField(_("delivery country"), max_length=100, blank=True,
                                        help_text=_("As Fortnox writes it; an order without a country is in Sverige."))
    min_weight_kg = models.DecimalField(_("from weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True)
    max_weight_kg = models.DecimalField(_("up to weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("transporter rule")
        verbose_name_plural = _("transporter rules")
        ordering = ["position", "pk"]

    def __str__(self):
        return gettext("Rule %(position)s → %(service)s") % {
            "position": self.position, "service": self.service or gettext("deleted service")}

    def matches(self, shipment: Shipment) -> bool:
        texts = [(self.way_of_delivery, shipment.way_of_delivery), (self.terms_of_delivery, shipment.terms_of_delivery),
                 (self.order_kind, shipment.order_kind), (self.delivery_country, shipment.country)]
        if any(wanted and wanted.casefold() != value.strip().casefold() for wanted, value in texts):
            return False
        if self.min_weight_kg is None and self.max_weight_kg is None:
            return True
        weight = shipment.weight_kg
        return weight is not None and (self.min_weight_kg is None or weight >= self.min_weight_kg) and (
            self.max_weight_kg is None or weight <= self.max_weight_kg)

    @classmethod
    def in_order(cls, organization) -> list["TransporterRule"]:
        return list(cls.objects.for_organization(organization).select_related("service__transporter"))


# Why an order has no service, stored on it as a code with parameters (`problem`) and read in
# the reader's language (`problem_text`): the sync that flags an order runs in no one's language.
PROBLEMS = {
    "no_rule": _("No transporter rule matches (%(shipment)s)."),
    "rule_service_deleted": _("Rule %(position)s matches, but its service was deleted."),
    "rule_service_inactive": _("Rule %(position)s matches, but %(service)s is not active."),
    "chosen_service_deleted": _("The service chosen for this order (%(service)s) was deleted; choose another."),
}


def problem(code: str, **params) -> str:
    return json.dumps({"problem": code, **params}, ensure_ascii=False, default=str)


def problem_text(stored: str) -> str:
    """A stored problem in the active language (text stored before codes is shown as it is)."""
    try:
        params = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(params, dict) or params.get("problem") not in PROBLEMS:
        return stored
    code = params.pop("problem")
    if code == "no_rule":
        weight = params.pop("weight_kg", None)
        params = {"shipment": Shipment(**params, weight_kg=None if weight is None else Decimal(weight)).describe()}
    return gettext(PROBLEMS[code]) % params


def choose_service(rules: list[TransporterRule], shipment: Shipment) -> tuple[TransporterService | None, str]:
    """(service, "") from the first matching rule, or (None, the stored problem) for the order's flag."""
    for rule in rules:
        if rule.matches(shipment):
            if rule.service is None:
                return None, problem("rule_service_deleted", position=rule.position)
            if not (rule.service.active and rule.service.transporter.active):
                return None, problem("rule_service_inactive", position=rule.position, service=str(rule.service))
            return rule.service, ""
    return None, problem("no_rule", **asdict(shipment))


class ShippingSettings(OrganizationOwned):
    """What the warehouse tells customers and prints on delivery notes. Customer notices are off
    by default, as in the WMS Brygga follows; an order may still choose for itself."""

    notify_by_email = models.BooleanField(_("Email the customer when the order is sent"), default=False)
    notify_by_sms = models.BooleanField(_("Text the customer (SMS) when the order is sent"), default=False)
    notify_b2b = models.BooleanField(_("Notify on B2B orders"), default=True)
    notify_b2c = models.BooleanField(_("Notify on B2C orders"), default=True)
    sender = models.TextField(
        _("Sender on delivery notes"), blank=True, max_length=500,
        help_text=_("Name, address and phone as printed at the top of each delivery note and under each notice. "
                    "Empty: the organization's name."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("shipping settings")
        verbose_name_plural = _("shipping settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="shipping_settings_one_per_org")]

    def __str__(self):
        return str(self.organization)

    @classmethod
    def get_or_create_for(cls, organization) -> "ShippingSettings":
        return cls.objects.get_or_create(organization=organization)[0]

    def sender_lines(self) -> list[str]:
        return [line.strip() for line in self.sender.splitlines() if line.strip()] or [self.organization.name]

    def notifies(self, order, channel: str) -> bool:
        """Does `order` get a notice by `channel` ("email" or "sms")? Its own choice, else these settings."""
        own = getattr(order, f"notify_by_{channel}")
        if own is not None:
            return own
        kind = order.order_type.kind if order.order_type else ""
        by_kind = {"b2b": self.notify_b2b, "b2c": self.notify_b2c}.get(kind, True)
        return getattr(self, f"notify_by_{channel}") and by_kind
