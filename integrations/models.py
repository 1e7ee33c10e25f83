from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationOwned
from organizations.stored_text import StoredTextField

from .fields import EncryptedTextField

# Scopes per Brygga feature (Fortnox's scope names). Company information is always needed: it
# tells us which Fortnox company a token belongs to.
BASE_SCOPES = ("companyinformation",)
HR_SCOPES = ("salary",)
# `settings` reads the ways and terms of delivery orders name.
WAREHOUSE_SCOPES = ("article", "supplier", "customer", "order", "invoice", "warehouse", "settings")
WAREHOUSE_CUSTOM_DOCUMENT_SCOPES = ("warehousecustomdocument",)


class FortnoxConnection(OrganizationOwned):
    """An organization's link to its Fortnox company: which features it uses (and so which
    scopes it asks for), the OAuth tokens (encrypted) and the state an admin needs to see."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NEEDS_REAUTH = "needs_reauth", _("Needs to be re-connected")
        DISCONNECTED = "disconnected", _("Not connected")

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DISCONNECTED)
    hr_enabled = models.BooleanField(
        _("HR (employees and absences)"), default=True,
        help_text=_("Asks Fortnox for the salary scope."),
    )
    warehouse_enabled = models.BooleanField(
        _("Warehouse (articles, customers, orders, stock)"), default=False,
        help_text=_("Asks Fortnox for the article, supplier, customer, order, invoice and warehouse scopes."),
    )
    warehouse_custom_documents = models.BooleanField(
        _("Warehouse custom documents"), default=False,
        help_text=_("Asks Fortnox for the warehousecustomdocument scope (returns and adjustments as own documents)."),
    )
    granted_scopes = models.JSONField(_("granted scopes"), default=list, blank=True)
    tenant_id = models.CharField(_("Fortnox database number"), max_length=40, blank=True)
    company_name = models.CharField(_("Fortnox company"), max_length=200, blank=True)
    access_token = EncryptedTextField(_("access token"), blank=True, editable=False)
    refresh_token = EncryptedTextField(_("refresh token"), blank=True, editable=False)
    expires_at = models.DateTimeField(_("access token expires"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("last token refresh"), null=True, blank=True)
    # Set by the one worker that is exchanging the refresh token right now (see fortnox.tokens).
    refresh_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = StoredTextField(_("last error"), blank=True)  # read in the reader's language
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("connected by"),
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Fortnox connection")
        verbose_name_plural = _("Fortnox connections")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="fortnox_connection_one_per_org"),
            # One Fortnox company, one organization: two would each handle every order and absence.
            models.UniqueConstraint(fields=["tenant_id"], condition=~models.Q(tenant_id=""), name="fortnox_company_one_organization"),
        ]

    def __str__(self):
        return f"{self.organization} → {self.company_name or self.get_status_display()}"

    @property
    def rate_limit_key(self) -> str:
        """Whose request budget this connection spends. Fortnox counts per client id and tenant
        (API-FACTS §2.3), so every connection of Brygga's app to one Fortnox company shares one
        budget, also across a re-connect or the company moved to another organization.
        Until the company is known (the first call reads it), the connection has its own."""
        if self.tenant_id:
            return f"{settings.FORTNOX_CLIENT_ID}/{self.tenant_id}"
        return f"connection/{self.pk}"

    @classmethod
    def for_organization(cls, organization) -> "FortnoxConnection":
        """The organization's connection, or an unsaved disconnected one with default features."""
        return cls.objects.for_organization(organization).first() or cls(organization=organization)

    @property
    def is_connected(self) -> bool:
        return self.status == self.Status.CONNECTED

    def requested_scopes(self) -> list[str]:
        scopes = list(BASE_SCOPES)
        if self.hr_enabled:
            scopes += HR_SCOPES
        if self.warehouse_enabled:
            scopes += WAREHOUSE_SCOPES
            if self.warehouse_custom_documents:
                scopes += WAREHOUSE_CUSTOM_DOCUMENT_SCOPES
        return scopes

    def missing_scopes(self) -> list[str]:
        """Scopes the enabled features need but the current authorization does not cover."""
        granted = set(self.granted_scopes)
        return [scope for scope in self.requested_scopes() if scope not in granted]

    def token_expires_within(self, margin: timedelta) -> bool:
        return self.expires_at is None or self.expires_at - margin <= timezone.now()


class FortnoxRateWindow(models.Model):
    """The sliding request log of one budget (`FortnoxConnection.rate_limit_key`): epoch
    timestamps of the requests sent in the current window. One row per budget, changed only
    under its row lock, so every thread, process and machine sharing the database shares it."""

    key = models.CharField(max_length=200, primary_key=True)
    sent_at = models.JSONField(default=list)

    class Meta:
        verbose_name = _("Fortnox rate window")
        verbose_name_plural = _("Fortnox rate windows")

    def __str__(self):
        return f"{self.key}: {len(self.sent_at)}"

from .sync_models import *  # noqa: E402,F401,F403
from .warehouse_sync.models import *  # noqa: E402,F401,F403
