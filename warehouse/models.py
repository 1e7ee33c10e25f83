"""The warehouse: what is stored, what is ordered, what comes in and what goes out.

Natural keys (article, customer, supplier, order and purchase-order numbers) are plain fields so
an ERP sync can match on them; this app knows nothing about where they come from.
Stock balances are never written here: only `actions.do_move_stock` changes them, through a
recorded `StockMovement`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _, pgettext_lazy
from stdnum import ean as gtin

from organizations.models import OrganizationOwned
from organizations.stored_text import StoredTextField

ZERO = Decimal("0")


def quantity_field(verbose_name, **kwargs):
    # ERP quantities are decimals (metres, kilos) as often as pieces.
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=3, default=ZERO, **kwargs)


def user_field(verbose_name):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=verbose_name,
    )


def validate_ean(value):
    if not gtin.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid EAN/GTIN: it needs 8, 12, 13 or 14 digits with a correct check digit."),
            params={"value": value},
        )


class IllegalTransition(ValidationError):
    """A state change the state machine does not allow."""


class StateMachine(models.Model):
    """A `state` field plus a table of allowed moves; every change goes through `move_to`."""

    TRANSITIONS: dict = {}

    class Meta:
        abstract = True

    def can_move_to(self, state) -> bool:
        return state in self.TRANSITIONS[self.state]

    def move_to(self, state) -> None:
        if not self.can_move_to(state):
            raise IllegalTransition(
                _("%(object)s is %(current)s and cannot become %(wanted)s."),
                params={
                    "object": self, "current": self.get_state_display().lower(),
                    "wanted": self.State(state).label.lower(),
                },
            )
        self.state = state


class Supplier(OrganizationOwned):
    supplier_number = models.CharField(_("supplier number"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(_("organisation number"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "supplier_number"], name="supplier_number_unique"),
        ]

    def __str__(self):
        return f"{self.supplier_number} {self.name}"


class Customer(OrganizationOwned):
    class Type(models.TextChoices):
        PRIVATE = "private", _("Private person")
        COMPANY = "company", _("Company")

    customer_number = models.CharField(_("customer number"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    customer_type = models.CharField(_("customer type"), max_length=10, choices=Type.choices, default=Type.COMPANY)
    organisation_number = models.CharField(_("organisation/personal number"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    address1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    zip_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "customer_number"], name="customer_number_unique"),
        ]

    def __str__(self):
        return f"{self.customer_number} {self.name}"


class Article(OrganizationOwned):
    article_number = models.CharField(_("article number"), max_length=50)
    description = models.CharField(_("description"), max_length=200)
    ean = models.CharField(_("EAN"), max_length=14, blank=True, validators=[validate_ean])
    unit = models.CharField(_("unit"), max_length=10, blank=True, default="st")
    weight = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    depth = models.PositiveIntegerField(_("depth (mm)"), null=True, blank=True)
    is_stock_article = models.BooleanField(
        _("stock article"), default=True,
        help_text=_("Only stock articles are picked and counted; services and freight are not."),
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles", verbose_name=_("supplier")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["article_number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "article_number"], name="article_number_unique"),
            models.UniqueConstraint(fields=["organization", "ean"], condition=~Q(ean=""), name="article_ean_unique"),
        ]

    def __str__(self):
        return f"{self.article_number} {self.description}"

    @classmethod
    def scan_filter(cls, code: str) -> Q:
        """What a scanned code matches: an EAN or an article number."""
        code = code.strip()
        return Q(ean=code) | Q(article_number=code)


class OrderType(OrganizationOwned):
    class Kind(models.TextChoices):
        B2B = "b2b", _("B2B")
        B2C = "b2c", _("B2C")

    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("order type")
        verbose_name_plural = _("order types")
        ordering = ["kind", "created_at", "pk"]

    def __str__(self):
        return self.name

    @classmethod
    def for_kind(cls, organization, kind) -> "OrderType":
        """The order type used for `kind`: the oldest one when there are several, created when missing."""
        existing = cls.objects.for_organization(organization).filter(kind=kind).order_by("created_at", "pk").first()
        return existing or cls.objects.create(organization=organization, kind=kind, name=cls.Kind(kind).label)

    @classmethod
    def for_customer(cls, customer: Customer) -> "OrderType":
        kind = cls.Kind.B2C if customer.customer_type == Customer.Type.PRIVATE else cls.Kind.B2B
        return cls.for_kind(customer.organization, kind)


class StockLocation(OrganizationOwned):
    """A shelf or bin. Optional: an organization without locations keeps one balance per article."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stock location")
        verbose_name_plural = _("stock locations")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="stock_location_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}".strip()


class SalesOrder(OrganizationOwned, StateMachine):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PICKING = "picking", _("Picking")
        PACKED = "packed", _("Packed")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", pgettext_lazy("order state", "Cancelled")

    TRANSITIONS = {
        State.OPEN: {State.PICKING, State.CANCELLED},
        State.PICKING: {State.PACKED, State.CANCELLED},
        State.PACKED: {State.SENT, State.CANCELLED},
        State.SENT: set(),
        State.CANCELLED: set(),
    }
    TO_DO = [State.OPEN, State.PICKING, State.PACKED]

    order_number = models.CharField(_("order number"), max_length=50)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    order_type = models.ForeignKey(
        OrderType, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name=_("order type")
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    your_reference = models.CharField(_("your reference"), max_length=50, blank=True)
    our_reference = models.CharField(_("our reference"), max_length=50, blank=True)
    your_order_number = models.CharField(_("your order number"), max_length=75, blank=True)
    way_of_delivery = models.CharField(_("way of delivery"), max_length=50, blank=True)
    terms_of_delivery = models.CharField(_("terms of delivery"), max_length=50, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    delivery_name = models.CharField(_("delivery name"), max_length=200, blank=True)
    delivery_address1 = models.CharField(_("delivery address line 1"), max_length=200, blank=True)
    delivery_address2 = models.CharField(_("delivery address line 2"), max_length=200, blank=True)
    delivery_zip_code = models.CharField(_("delivery postal code"), max_length=20, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_country = models.CharField(_("delivery country"), max_length=100, blank=True)
    delivery_phone = models.CharField(_("delivery phone"), max_length=50, blank=True)
    delivery_email = models.EmailField(_("delivery email"), blank=True)
    # The customer's notice when the order is sent: None follows the organization's shipping
    # settings (per order type); True or False is this order's own choice.
    notify_by_sms = models.BooleanField(_("notify by SMS"), null=True, blank=True, default=None,
                                        help_text=_("Empty: as the shipping settings say."))
    notify_by_email = models.BooleanField(_("notify by email"), null=True, blank=True, default=None,
                                          help_text=_("Empty: as the shipping settings say."))
    language = models.CharField(_("customer's language"), max_length=8, blank=True,
                                help_text=_("The order's language in the ERP; notices and delivery notes use it."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    picking_started_at = models.DateTimeField(_("picking started"), null=True, blank=True)
    picking_started_by = user_field(_("picking started by"))
    packed_at = models.DateTimeField(_("packed"), null=True, blank=True)
    packed_by = user_field(_("packed by"))
    parcels = models.PositiveSmallIntegerField(_("parcels"), null=True, blank=True)
    packed_weight_kg = models.DecimalField(_("weight (kg)"), max_digits=9, decimal_places=3, null=True, blank=True,
                                           help_text=_("Weighed at packing, all parcels together."))
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    fulfilled_by = user_field(_("fulfilled by"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    changed_at_source = models.BooleanField(
        _("changed at the source after work started"), default=False,
        help_text=_("The order was changed in the system it came from after picking began; the change was not applied."),
    )
    source_change_note = StoredTextField(_("source change note"), blank=True)  # read in the reader's language
    transporter_service = models.ForeignKey(
        "warehouse.TransporterService", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders",
        verbose_name=_("transporter service"),
    )
    # Why the rules gave no service, as a code with parameters (`shipping.problem`); the order is
    # flagged while this is filled in, and `service_problem_text` reads it in the reader's language.
    service_problem = models.CharField(_("transporter problem"), max_length=600, blank=True)
    service_override_reason = models.CharField(
        _("reason for the chosen service"), max_length=300, blank=True,
        help_text=_("Filled in when staff chose the service instead of the rules; the rules then leave it alone."),
    )
    service_overridden_by = user_field(_("service chosen by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["delivery_date", "order_number"]
        constraints = [models.UniqueConstraint(fields=["organization", "order_number"], name="sales_order_number_unique")]
        indexes = [models.Index(fields=["organization", "state", "delivery_date", "order_number"], name="sales_order_queue")]

    def __str__(self):
        return _("Order %(number)s") % {"number": self.order_number}

    @property
    def warehouse_work_started(self) -> bool:
        """Picking has begun: from then on the warehouse owns the order and the source may not
        silently change it. Stays true after packing, sending or a late cancellation."""
        return self.picking_started_at is not None

    def row_for_scan(self, code: str) -> "SalesOrderRow":
        """The row a scanned EAN or article number refers to: the first one still to pick."""
        rows = [row for row in self.rows.select_related("article") if row.article and row.article_matches(code)]
        if not rows:
            raise ValidationError(_("Nothing on %(order)s matches “%(code)s”."), params={"order": self, "code": code})
        return next((row for row in rows if row.left_to_pick > 0), rows[0])

    @property
    def service_problem_text(self) -> str:
        from .shipping import problem_text

        return problem_text(self.service_problem)

    @property
    def customer_language(self) -> str:
        """What the customer reads: the order's language when Brygga speaks it, else Swedish."""
        return self.language if self.language in dict(settings.LANGUAGES) else "sv"

    def short_rows(self, rows=None) -> list["SalesOrderRow"]:
        """Pickable rows with less picked than ordered."""
        return [row for row in (self.rows.select_related("article") if rows is None else rows) if row.is_short]


class SalesOrderRow(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="rows", verbose_name=_("order"))
    position = models.PositiveIntegerField(_("position"), default=0)
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, null=True, blank=True, related_name="order_rows", verbose_name=_("article")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    ordered_quantity = quantity_field(_("ordered"))
    picked_quantity = quantity_field(_("picked"))
    delivered_quantity = quantity_field(_("delivered"))
    returned_quantity = quantity_field(_("returned"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("order row")
        verbose_name_plural = _("order rows")
        ordering = ["order", "position", "pk"]

    def __str__(self):
        return f"{self.article.article_number if self.article else '–'} × {self.ordered_quantity}"

    @property
    def is_pickable(self) -> bool:
        return self.article is not None and self.article.is_stock_article

    @property
    def left_to_pick(self) -> Decimal:
        return max(self.ordered_quantity - self.picked_quantity, ZERO) if self.is_pickable else ZERO

    @property
    def is_short(self) -> bool:
        return self.left_to_pick > 0

    @property
    def returnable_quantity(self) -> Decimal:
        return self.delivered_quantity - self.returned_quantity if self.is_pickable else ZERO

    def article_matches(self, code: str) -> bool:
        code = code.strip()
        return bool(code) and code in (self.article.ean, self.article.article_number)


class PurchaseOrder(OrganizationOwned, StateMachine):
    class State(models.TextChoices):
        EXPECTED = "expected", _("Expected")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        CLOSED_SHORT = "closed_short", _("Closed short")

    TRANSITIONS = {
        State.EXPECTED: {State.PARTLY_RECEIVED, State.RECEIVED, State.CLOSED_SHORT},
        State.PARTLY_RECEIVED: {State.PARTLY_RECEIVED, State.RECEIVED, State.CLOSED_SHORT},
        State.RECEIVED: set(),
        State.CLOSED_SHORT: set(),
    }
    RECEIVABLE = [State.EXPECTED, State.PARTLY_RECEIVED]

    order_number = models.CharField(_("purchase order number"), max_length=50)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    order_date = models.DateField(_("order date"), default=timezone.localdate)
    expected_date = models.DateField(_("expected"), null=True, blank=True)
    our_reference = models.CharField(_("our reference"), max_length=50, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.EXPECTED)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = user_field(_("closed by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["expected_date", "order_number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "order_number"], name="purchase_order_number_unique")
        ]
        indexes = [models.Index(fields=["organization", "state", "expected_date"], name="purchase_order_queue")]

    def __str__(self):
        return _("Purchase order %(number)s") % {"number": self.order_number}


class PurchaseOrderRow(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="rows", verbose_name=_("purchase order")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="purchase_order_rows", verbose_name=_("article")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    ordered_quantity = quantity_field(_("ordered"))
    received_quantity = quantity_field(_("received"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("purchase order row")
        verbose_name_plural = _("purchase order rows")
        ordering = ["purchase_order", "position", "pk"]

    def __str__(self):
        return f"{self.article.article_number} × {self.ordered_quantity}"

    @property
    def outstanding_quantity(self) -> Decimal:
        return max(self.ordered_quantity - self.received_quantity, ZERO)


class Receipt(OrganizationOwned):
    """One delivery from a supplier against a purchase order; a PO may take several."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("purchase order")
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = user_field(_("received by"))
    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stock location")
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    over_receipt = models.BooleanField(
        _("over-receipt"), default=False, help_text=_("More arrived than was still expected, and the person confirmed it."),
    )

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return _("Receipt %(id)s on %(order)s") % {"id": self.pk, "order": self.purchase_order.order_number}


class ReceiptRow(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="rows", verbose_name=_("receipt"))
    purchase_order_row = models.ForeignKey(
        PurchaseOrderRow, on_delete=models.PROTECT, related_name="receipt_rows", verbose_name=_("purchase order row")
    )
    quantity = quantity_field(_("quantity"))

    class Meta:
        verbose_name = _("receipt row")
        verbose_name_plural = _("receipt rows")
        ordering = ["receipt", "pk"]

    def __str__(self):
        return f"{self.purchase_order_row.article.article_number} × {self.quantity}"


class StockEvent(OrganizationOwned):
    """Something a person did to stock, with the reason kept for the ledger."""

    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stock location")
    )
    quantity = quantity_field(_("quantity"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = user_field(_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class Adjustment(StockEvent):
    """A stock count correction or write-off: positive or negative, always with a reason."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("article"))

    class Meta(StockEvent.Meta):
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")

    def __str__(self):
        return f"{self.article.article_number} {self.quantity:+}"


class Return(StockEvent):
    """Goods a customer sent back on a sales order, put back in stock."""

    order_row = models.ForeignKey(SalesOrderRow, on_delete=models.PROTECT, related_name="returns", verbose_name=_("order row"))
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="returns", verbose_name=_("order"))

    class Meta(StockEvent.Meta):
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self):
        return f"{self.order.order_number}: {self.order_row.article.article_number} × {self.quantity}"


class StockBalance(OrganizationOwned):
    """Cached sum of an article's movements at one location (or at no location)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="balances", verbose_name=_("article"))
    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="balances",
        verbose_name=_("stock location"),
    )
    quantity = quantity_field(_("in stock"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        ordering = ["article", "location"]
        constraints = [
            # Two constraints because NULLs never collide in a plain unique index.
            models.UniqueConstraint(fields=["article"], condition=Q(location=None), name="stock_balance_unlocated_unique"),
            models.UniqueConstraint(
                fields=["article", "location"], condition=~Q(location=None), name="stock_balance_located_unique"
            ),
        ]

    def __str__(self):
        return f"{self.article.article_number} @ {self.location or '–'}: {self.quantity}"

    @classmethod
    def draw_plan(cls, article, quantity) -> list[tuple["StockLocation | None", Decimal]]:
        """Where an outgoing `quantity` is taken from, since picking does not record a location:
        locations holding stock in code order; what they lack comes off the last one (the
        balance then shows the discrepancy instead of hiding it)."""
        balances = cls.objects.filter(article=article, quantity__gt=0).select_related("location")
        plan, left = [], quantity
        for balance in balances.order_by(models.F("location__code").asc(nulls_first=True)):
            take = min(left, balance.quantity)
            plan.append((balance.location, take))
            left -= take
            if not left:
                return plan
        if plan:
            plan[-1] = (plan[-1][0], plan[-1][1] + left)
            return plan
        return [(None, left)]


class StockMovement(OrganizationOwned):
    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Receipt")
        DELIVERY = "delivery", _("Delivery")
        ADJUSTMENT = "adjustment", _("Adjustment")
        RETURN = "return", _("Return")

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="movements", verbose_name=_("article"))
    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("stock location")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = quantity_field(_("quantity"), help_text=_("Positive into stock, negative out of stock."))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    sales_order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="movements", verbose_name=_("sales order")
    )
    receipt = models.ForeignKey(
        Receipt, on_delete=models.PROTECT, null=True, blank=True, related_name="movements", verbose_name=_("receipt")
    )
    adjustment = models.ForeignKey(
        Adjustment, on_delete=models.PROTECT, null=True, blank=True, related_name="movements", verbose_name=_("adjustment")
    )
    goods_return = models.ForeignKey(
        Return, on_delete=models.PROTECT, null=True, blank=True, related_name="movements", verbose_name=_("return")
    )
    created_by = user_field(_("by"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["article", "created_at"], name="stock_movement_ledger")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.article.article_number} {self.quantity:+}"


# The shipping models live in their own module; imported here so Django finds them.
from .notices import CustomerNotice  # noqa: E402,F401
from .shipping import (  # noqa: E402,F401
    ShippingSettings,
    TermsOfDelivery,
    Transporter,
    TransporterRule,
    TransporterService,
    WayOfDelivery,
)
