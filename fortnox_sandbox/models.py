"""The sandbox's state. Fortnox's business data lives in one generic record store (`Record`);
only what the API machinery itself needs (companies, OAuth clients and tokens, the request log)
has models of its own."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models, transaction
from django.utils import timezone

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
BUILTIN_CALLBACK_PATH = "/integrations/fortnox/callback/"
BUILTIN_WEBHOOK_PATH = "/integrations/fortnox/webhook/"  # where Brygga takes consent webhooks (sandbox_seed registers it)


def digest(secret: str) -> str:
    """Tokens and codes are stored as sha256 digests: a leaked database does not leak keys."""
    return hashlib.sha256(secret.encode()).hexdigest()


class Module(models.TextChoices):
    """Fortnox module licences that gate scopes or paths."""

    SALARY = "salary", "Lön (salary)"
    WAREHOUSE = "warehouse", "Lager (warehouse)"
    PURCHASE_ORDERS = "purchase_orders", "Lager+ (purchase orders)"


class Company(models.Model):
    """A Fortnox customer (tenant) with its licences and the switches tests flip."""

    database_number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    organisation_number = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=200, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)

    api_licence = models.BooleanField(default=True, help_text="The integration (API) licence.")
    salary_licence = models.BooleanField(default=True)
    warehouse_licence = models.BooleanField(default=False, help_text="Lager: the warehouse module is active.")
    purchase_orders_licence = models.BooleanField(default=False, help_text="Lager+: purchase orders.")
    back_orders_allowed = models.BooleanField(default=True)
    negative_stock_allowed = models.BooleanField(default=False)
    stock_points_enabled = models.BooleanField(default=False)
    locked_salary_until = models.DateField(
        null=True, blank=True, help_text="Absence on or before this date belongs to a locked salary period."
    )

    access_token_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the sandbox default.")
    refresh_token_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: the sandbox default.")
    rate_limit_requests = models.PositiveIntegerField(default=25)
    rate_limit_window_seconds = models.FloatField(default=5.0)
    missing_scope_status = models.PositiveSmallIntegerField(default=400, help_text="Live reports say 400, one says 403.")

    fault_error_rate = models.FloatField(default=0.0, help_text="Share (0–1) of requests answered with an error status.")
    fault_error_status = models.PositiveSmallIntegerField(default=503)
    fault_429_burst = models.PositiveIntegerField(default=0, help_text="The next N requests get HTTP 429.")
    fault_latency_ms = models.PositiveIntegerField(default=0)
    fault_timeout_seconds = models.FloatField(default=0.0, help_text="Sleep this long before handling a request.")
    fault_drop_rate = models.FloatField(
        default=0.0, help_text="Share (0–1) of successful writes whose connection is dropped after the change."
    )
    fault_drop_burst = models.PositiveIntegerField(
        default=0, help_text="The next N successful writes have their connection dropped after the change.")
    fault_stream_duplicate_rate = models.FloatField(default=0.0, help_text="Share (0–1) of events streamed twice.")
    fault_stream_drop_after = models.PositiveIntegerField(
        default=0, help_text="The stream closes a connection after sending it this many events (0: never).")
    fault_stream_drop_rate = models.FloatField(
        default=0.0, help_text="Share (0–1) of events after which the stream closes the connection.")
    fault_stream_delay_ms = models.PositiveIntegerField(default=0, help_text="Events are streamed this much later.")
    fault_stream_stale_read_seconds = models.FloatField(
        default=0.0, help_text="For this long after an event, a REST read of its record shows the version before.")
    fault_seed = models.BigIntegerField(null=True, blank=True, help_text="Set: fault decisions are reproducible.")
    fault_counter = models.PositiveBigIntegerField(default=0, editable=False)

    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["database_number"]
        verbose_name_plural = "companies"

    def __str__(self):
        return f"{self.name} ({self.database_number})"

    @property
    def modules(self) -> set[str]:
        return {
            module for module, on in (
                (Module.SALARY, self.salary_licence),
                (Module.WAREHOUSE, self.warehouse_licence),
                (Module.PURCHASE_ORDERS, self.purchase_orders_licence),
            ) if on
        }

    @property
    def access_lifetime(self) -> timedelta:
        return timedelta(seconds=self.access_token_seconds or settings_value("ACCESS_TOKEN_SECONDS", 3600))

    @property
    def refresh_lifetime(self) -> timedelta:
        return timedelta(seconds=self.refresh_token_seconds or settings_value("REFRESH_TOKEN_SECONDS", 45 * 86400))

    @property
    def has_faults(self) -> bool:
        return bool(
            self.fault_error_rate or self.fault_429_burst or self.fault_latency_ms
            or self.fault_timeout_seconds or self.fault_drop_rate or self.fault_drop_burst
        )

    def next_number(self, resource: str, at_least: int = 1) -> int:
        """The next free number of a per-company series (employee ids, document numbers...)."""
        with transaction.atomic():
            sequence, _ = Sequence.objects.select_for_update().get_or_create(company=self, resource=resource)
            sequence.last = max(sequence.last + 1, at_least)
            sequence.save(update_fields=["last"])
            return sequence.last


def settings_value(name: str, default):
    return getattr(settings, f"FORTNOX_SANDBOX_{name}", default)


class Sequence(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    resource = models.CharField(max_length=60)
    last = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "resource"], name="sandbox_sequence_unique")]


class Record(models.Model):
    """One Fortnox object, stored as the JSON document the API hands out (minus `@url`)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="records")
    resource = models.CharField(max_length=60)
    key = models.CharField(max_length=200)
    document = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["resource", "key"]
        constraints = [models.UniqueConstraint(fields=["company", "resource", "key"], name="sandbox_record_unique")]
        indexes = [models.Index(fields=["company", "resource", "modified"])]

    def __str__(self):
        return f"{self.resource}/{self.key}"


class SandboxUser(models.Model):
    """A person who logs in to the sandbox's consent page on behalf of one company."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="users")
    username = models.CharField(max_length=150, unique=True)
    name = models.CharField(max_length=150, blank=True)
    password = models.CharField(max_length=128)
    is_system_admin = models.BooleanField(default=True, help_text="Only system administrators approve service accounts.")

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    def set_password(self, raw: str):
        self.password = make_password(raw)

    def check_password(self, raw: str) -> bool:
        return check_password(raw, self.password)


class OAuthClientManager(models.Manager):
    def ensure_builtin(self):
        """Brygga's own client, registered from settings the first time anything asks for a
        client (idempotent, so a changed secret in settings is picked up)."""
        client_id = settings.FORTNOX_CLIENT_ID
        if not (settings.SANDBOX_ENABLED and client_id):
            return None
        client, created = self.get_or_create(
            client_id=client_id,
            defaults={
                "name": "Brygga",
                "secret_hash": digest(settings.FORTNOX_CLIENT_SECRET),
                "redirect_uris": f"{settings.SITE_URL}{BUILTIN_CALLBACK_PATH}",
                "landing_page": f"{settings.SITE_URL}/integrations/fortnox/activate/",
                "builtin": True,
                "service_accounts_allowed": True,
            },
        )
        if not created and client.secret_hash != digest(settings.FORTNOX_CLIENT_SECRET):
            client.secret_hash = digest(settings.FORTNOX_CLIENT_SECRET)
            client.save(update_fields=["secret_hash"])
        return client

    def find(self, client_id: str):
        self.ensure_builtin()
        return self.filter(client_id=client_id).first()

    def authenticate(self, client_id: str, secret: str):
        client = self.find(client_id)
        if client and secrets.compare_digest(client.secret_hash, digest(secret)):
            return client
        return None


class OAuthClient(models.Model):
    """An app registered in Fortnox's developer portal."""

    client_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=100)
    secret_hash = models.CharField(max_length=64)
    redirect_uris = models.TextField(help_text="One per line.")
    landing_page = models.URLField(blank=True, help_text="Where the app market's Activate button sends the user.")
    service_accounts_allowed = models.BooleanField(default=False)
    webhook_url = models.URLField(
        blank=True, max_length=500,
        help_text="Consent created/revoked webhooks are POSTed here (the developer portal's setting).",
    )
    builtin = models.BooleanField(default=False, editable=False)

    objects = OAuthClientManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def set_secret(self, raw: str):
        self.secret_hash = digest(raw)

    @property
    def redirect_uri_list(self) -> list[str]:
        return [uri.strip() for uri in self.redirect_uris.splitlines() if uri.strip()]

    def accepts_redirect_uri(self, uri: str) -> bool:
        if uri in self.redirect_uri_list:
            return may_send_browser_to(uri)
        # Tests run the product on a random live_server port, so Brygga's own client also accepts
        # its callback path on any loopback host and port (the browser's own machine, never a
        # third party's). Nothing else is relaxed.
        parts = urlsplit(uri)
        return self.builtin and parts.hostname in LOOPBACK_HOSTS and parts.path == BUILTIN_CALLBACK_PATH and not parts.query


def may_send_browser_to(url: str) -> bool:
    """The sandbox is served on Brygga's own host, so a redirect it makes (after consent, from the
    app market) speaks with Brygga's authority. Outside DEBUG it goes only to Brygga itself
    (SITE_URL's scheme, host and port), never to whatever address someone registered."""
    if settings.DEBUG:
        return True
    own, target = urlsplit(settings.SITE_URL), urlsplit(url)
    return (target.scheme, target.netloc) == (own.scheme, own.netloc)


class AuthorizationCode(models.Model):
    code_hash = models.CharField(max_length=64, unique=True)
    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE)
    scopes = models.TextField()
    redirect_uri = models.CharField(max_length=500, blank=True)
    service_account = models.BooleanField(default=False)
    expires = models.DateTimeField()
    used = models.BooleanField(default=False)

    @classmethod
    def issue(cls, client, user, scopes: list[str], redirect_uri: str, service_account: bool) -> str:
        code = secrets.token_urlsafe(24)
        cls.objects.create(
            code_hash=digest(code), client=client, user=user, scopes=" ".join(scopes), redirect_uri=redirect_uri,
            service_account=service_account,
            expires=timezone.now() + timedelta(seconds=settings_value("CODE_SECONDS", 600)),
        )
        return code

    def redeem(self) -> bool:
        """Codes work once: an atomic flip that only one caller can win."""
        return AuthorizationCode.objects.filter(pk=self.pk, used=False, expires__gt=timezone.now()).update(used=True) == 1


class ConsentQuerySet(models.QuerySet):
    def standing(self):
        return self.filter(revoked__isnull=True)


class Consent(models.Model):
    """A service account: a system administrator's consent for one app (client id) in one
    company. Fortnox allows one per client id and customer (API-FACTS §1), so approving again
    renews this row; it stands until the customer revokes it."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE, related_name="consents")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="consents")
    approved_by = models.ForeignKey(SandboxUser, null=True, blank=True, on_delete=models.SET_NULL)
    scopes = models.TextField()
    # Modules licensed when the administrator approved, as for a user's token.
    modules = models.JSONField(default=list)
    created = models.DateTimeField(default=timezone.now)
    revoked = models.DateTimeField(null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["company", "client"]
        constraints = [models.UniqueConstraint(fields=["client", "company"], name="sandbox_consent_one_per_app")]

    def __str__(self):
        return f"{self.client} in {self.company}"

    @property
    def standing(self) -> bool:
        return self.revoked is None

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class TokenQuerySet(models.QuerySet):
    def by_access_token(self, raw: str):
        return self.select_related("company").filter(
            access_hash=digest(raw), revoked=False, access_expires__gt=timezone.now()
        ).first()


class Token(models.Model):
    """One access token and the refresh token issued with it. Refreshing marks this row's
    refresh token used and issues a new row; the old access token lives out its hour."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(SandboxUser, null=True, blank=True, on_delete=models.SET_NULL)
    scopes = models.TextField()
    # Modules licensed when the user approved: a module switched on later is not covered until
    # the user authorizes again (refreshing keeps the original coverage).
    modules = models.JSONField(default=list)
    service_account = models.BooleanField(default=False)
    access_hash = models.CharField(max_length=64, unique=True)
    refresh_hash = models.CharField(max_length=64, unique=True)
    access_expires = models.DateTimeField()
    refresh_expires = models.DateTimeField()
    refresh_used = models.BooleanField(default=False)
    revoked = models.BooleanField(default=False)
    issued = models.DateTimeField(auto_now_add=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        ordering = ["-issued"]

    def __str__(self):
        return f"token {self.pk} for {self.company}"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @classmethod
    def issue(cls, client, company, user, scopes: str, modules: list[str], service_account: bool):
        """Returns (token, access token, refresh token); only digests are stored."""
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = timezone.now()
        token = cls.objects.create(
            client=client, company=company, user=user, scopes=scopes, modules=modules,
            service_account=service_account, access_hash=digest(access), refresh_hash=digest(refresh),
            access_expires=now + company.access_lifetime, refresh_expires=now + company.refresh_lifetime,
        )
        return token, access, refresh

    def consume_refresh(self) -> bool:
        return Token.objects.filter(
            pk=self.pk, refresh_used=False, revoked=False, refresh_expires__gt=timezone.now()
        ).update(refresh_used=True) == 1


class RateEvent(models.Model):
    """One accepted request in the sliding window of an app (client id) in a company (tenant):
    Fortnox counts per client id and tenant, so every token of that app for that company
    shares one window (API-FACTS §2.3, §11.1)."""

    client = models.ForeignKey(OAuthClient, on_delete=models.CASCADE)
    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["client", "company", "at"])]


class RequestLog(models.Model):
    company = models.ForeignKey(Company, null=True, blank=True, on_delete=models.CASCADE, related_name="requests")
    token = models.ForeignKey(Token, null=True, blank=True, on_delete=models.SET_NULL)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    query = models.TextField(blank=True)
    status = models.PositiveSmallIntegerField()
    fault = models.CharField(max_length=30, blank=True)
    duration_ms = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.method} {self.path} {self.status}"



class TopicSequence(models.Model):
    """The last offset handed out on one topic. Its row is locked while an event is written, so
    a topic's events commit in offset order and a reader never sees a later offset first."""

    topic = models.CharField(max_length=40, unique=True)
    last = models.PositiveBigIntegerField(default=0)


class TopicEvent(models.Model):
    """One event of Fortnox's stream (`EVENTS.md`): what changed, not the change itself."""

    topic = models.CharField(max_length=40)
    sequence = models.PositiveBigIntegerField()
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="events")
    tenant_id = models.PositiveIntegerField()
    type = models.CharField(max_length=60)
    entity_id = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["topic", "sequence"]
        constraints = [models.UniqueConstraint(fields=["topic", "sequence"], name="sandbox_topic_event_unique")]

    def __str__(self):
        return f"{self.topic}@{self.offset} {self.type} {self.tenant_id}/{self.entity_id}"

    @property
    def offset(self) -> str:
        return to_offset(self.sequence)


def to_offset(sequence: int) -> str:
    """Offsets are opaque strings to clients (Fortnox's look like "xDy7J"): base 36 here."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        sequence, digit = divmod(sequence, 36)
        text = digits[digit] + text
        if not sequence:
            return text


def from_offset(offset) -> int | None:
    try:
        value = int(str(offset), 36)
    except ValueError:
        return None
    return value if value >= 0 else None


class StaleRead(models.Model):
    """The `fault_stream_stale_read_seconds` fault: until `until`, a REST GET of this record
    answers with `document` (its version before the change; null: it did not exist yet)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE)
    resource = models.CharField(max_length=60)
    key = models.CharField(max_length=200)
    document = models.JSONField(null=True)
    until = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["company", "resource", "key"])]


class StreamConnection(models.Model):
    """A client on the event stream, as its server reports it every few seconds (for the panel)."""

    peer = models.CharField(max_length=100)
    client = models.CharField(max_length=100, blank=True)
    tenants = models.JSONField(default=list)
    topics = models.JSONField(default=dict)  # topic -> next offset
    subscribed = models.BooleanField(default=False)
    connected_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["connected_at"]
