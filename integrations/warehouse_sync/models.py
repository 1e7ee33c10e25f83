"""The warehouse integration's settings (issue 9): which processes run, how often, and in which of
Fortnox's two stock modes. Runs, links, outbox events and errors are the shared mechanisms of
`integrations.core`. The table keeps the name the `integrations` app gave it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationOwned


class WarehouseSyncSettings(OrganizationOwned):
    class OrderSelection(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed: marked ready in Fortnox, not cancelled")
        OPEN = "open", _("All orders that are not cancelled")

    class Fulfilment(models.TextChoices):
        """When the warehouse fulfils an order, by whether Fortnox has invoiced it (the reference's
        "When should an order be fulfilled by the warehouse?", default "Placed non-invoiced orders")."""

        NOT_INVOICED = "not_invoiced", _("Placed non-invoiced orders (orders without an invoice)")
        ALL = "all", _("All placed orders, invoiced or not (prepaid orders too)")
        INVOICED = "invoiced", _("Only invoiced orders (prepaid or invoiced in advance)")

    active = models.BooleanField(_("Synchronise on a schedule"), default=False)
    interval_minutes = models.PositiveSmallIntegerField(_("Synchronisation interval (minutes)"), default=15)
    pull_articles = models.BooleanField(_("Pull articles"), default=True)
    pull_suppliers = models.BooleanField(_("Pull suppliers"), default=True)
    pull_customers = models.BooleanField(_("Pull customers"), default=True)
    pull_orders = models.BooleanField(_("Pull sales orders"), default=True)
    pull_purchase_orders = models.BooleanField(
        _("Pull purchase orders (Lager+)"), default=True,
        help_text=_("Purchase orders in state Sent with purchase type Warehouse. Needs Fortnox's Lager+ module."),
    )
    order_selection = models.CharField(
        _("Which status sales orders must have to be pulled"), max_length=20, choices=OrderSelection.choices,
        default=OrderSelection.CONFIRMED,
    )
    # The 30 days in the help text are `importers.INVOICED_LOOKBACK`.
    fulfil_orders = models.CharField(
        _("When the warehouse fulfils an order"), max_length=20, choices=Fulfilment.choices,
        default=Fulfilment.NOT_INVOICED,
        help_text=_(
            "Which orders the warehouse picks, by whether Fortnox has invoiced them. When an invoiced order is "
            "reported fulfilled, Brygga creates no second invoice. Invoiced orders are read when they changed in "
            "Fortnox since the last synchronisation (the first time, and after a change here: those changed in the "
            "last 30 days). A change takes effect at the next synchronisation; an order already in picking is never "
            "taken away."
        ),
    )
    set_order_type = models.BooleanField(_("Set order type B2B/B2C from the Fortnox customer's type"), default=True)
    report_fulfilled = models.BooleanField(
        _("Report fulfilled orders to Fortnox"), default=True,
        help_text=_("When “Report fulfilled” is pressed: delivered quantities on the Fortnox order, then an invoice."),
    )
    write_stock = models.BooleanField(
        _("Write stock levels to Fortnox at the end of each synchronisation (classic mode)"), default=False,
        help_text=_("Writes the article's quantity in stock. Not possible with Fortnox's warehouse module."),
    )
    use_warehouse_module = models.BooleanField(
        _("Use the Fortnox warehouse module (Lager)"), default=False,
        help_text=_("Must match Fortnox. Fulfilment marks orders warehouse-ready; adjustments, returns and receipts "
                    "become Fortnox warehouse documents."),
    )
    back_orders_in_fortnox = models.BooleanField(
        _("Fortnox creates back orders for short deliveries"), default=True,
        help_text=_("As set in Fortnox under Inställningar → Fakturering → Lager. Staff are warned when a short "
                    "delivery will leave a back order."),
    )
    # What Fortnox said when last asked (at connect, at each run, when the settings are saved):
    # None until then. A setting that contradicts it blocks reporting (`mode_conflict`).
    fortnox_warehouse_module = models.BooleanField(_("Fortnox has the warehouse module (Lager)"), null=True, blank=True)
    fortnox_mode_read_at = models.DateTimeField(_("warehouse mode read from Fortnox"), null=True, blank=True)
    # Start of the last good pull per kind: the next pull asks Fortnox for what changed since
    # then (minus an overlap).
    cursors = models.JSONField(_("cursors"), default=dict, blank=True)
    # What Fortnox refused to let the sync read (say, purchase orders without the Lager+ scope),
    # in words for the settings page; cleared by the next run that can read it.
    access_problems = models.JSONField(_("access problems"), default=dict, blank=True)
    # The fulfilment choice and status the last good order pull read by (`order_choice`): a
    # different one now means the next pull also reads what the new choice takes in.
    orders_pulled_for = models.CharField(_("orders last pulled for"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        db_table = "integrations_warehousesyncsettings"
        verbose_name = _("warehouse integration settings")
        verbose_name_plural = _("warehouse integration settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="warehouse_sync_settings_one_per_org")]

    def __str__(self):
        return f"Warehouse integration of {self.organization_id}"

    @classmethod
    def get_or_create_for(cls, organization) -> "WarehouseSyncSettings":
        """The organization's settings, made with the defaults the first time they are asked for."""
        return cls.objects.get_or_create(organization=organization)[0]

    @property
    def schedule_name(self) -> str:
        return f"Fortnox warehouse sync {self.organization_id}"

    @property
    def mode_conflict(self) -> str | None:
        """Why warehouse work cannot be reported to Fortnox now, or None: Brygga's warehouse-module
        setting contradicts what Fortnox last said, so every report would be refused or wrong."""
        if self.fortnox_warehouse_module is None or self.fortnox_warehouse_module == self.use_warehouse_module:
            return None
        if self.fortnox_warehouse_module:
            return str(_(
                "Fortnox now uses the warehouse module (Lager), but Brygga's warehouse integration is set not to. "
                "Nothing can be reported to Fortnox until an organization admin turns on “Use the Fortnox warehouse "
                "module” in the warehouse integration settings."
            ))
        return str(_(
            "Brygga's warehouse integration is set to use the Fortnox warehouse module (Lager), but Fortnox does not "
            "have it activated any more. Nothing can be reported to Fortnox until an organization admin turns off "
            "“Use the Fortnox warehouse module” in the warehouse integration settings."
        ))

    @property
    def order_choice(self) -> str:
        return f"{self.fulfil_orders}/{self.order_selection}"

    @property
    def order_choice_pending(self) -> bool:
        """The choice of orders changed since the last good pull: it applies from the next one."""
        return bool(self.orders_pulled_for) and self.orders_pulled_for != self.order_choice

    def fulfils(self, invoiced: bool) -> bool:
        """Does the warehouse fulfil an order that Fortnox has (or has not) invoiced?"""
        return self.fulfil_orders == self.Fulfilment.ALL or invoiced == (self.fulfil_orders == self.Fulfilment.INVOICED)

    def enabled_pulls(self) -> list[str]:
        # The delivery registers come with the orders that name their codes, and before them.
        flags = {"suppliers": self.pull_suppliers, "articles": self.pull_articles, "customers": self.pull_customers,
                 "ways_of_delivery": self.pull_orders, "terms_of_delivery": self.pull_orders,
                 "orders": self.pull_orders, "purchase_orders": self.pull_purchase_orders}
        return [kind for kind, on in flags.items() if on]
