import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr

from .permissions import ROLE_PERMISSIONS, Perm, Role
from .stored_text import StoredTextField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """A person who logs in to Brygga. Email is the login; there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, blank=True,
        help_text=_("Empty: use the organization's language."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self):
        return self.get_full_name() or self.email


def validate_organisation_number(value):
    if not orgnr.is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid Swedish organisation number (ten digits, e.g. 556036-0793)."),
            params={"value": value},
        )


def language_for(user, organization) -> str:
    """The language a person reads Brygga in: their own choice, else their organization's."""
    return user.language or organization.language


class Organization(models.Model):
    """One company: one Fortnox account, one tenant in Brygga."""

    name = models.CharField(_("name"), max_length=200)
    organisation_number = models.CharField(
        _("organisation number"), max_length=11, unique=True, validators=[validate_organisation_number]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="sv")
    require_mfa_for_admins = models.BooleanField(
        _("require two-factor authentication for admins"), default=False,
        help_text=_("Organization admins and HR admins must set up an authenticator app before they can work."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def _normalise_organisation_number(self):
        if self.organisation_number and orgnr.is_valid(self.organisation_number):
            self.organisation_number = orgnr.format(self.organisation_number)

    def clean(self):
        # Before the uniqueness check (every model form runs it after clean), so that another
        # organization's number typed without the dash is found taken instead of failing on save.
        super().clean()
        self._normalise_organisation_number()

    def save(self, *args, **kwargs):
        self._normalise_organisation_number()
        super().save(*args, **kwargs)

    def admins(self):
        """Users who hold the organization-wide settings permission (they get integration alerts)."""
        return User.objects.filter(
            memberships__organization=self, memberships__role=Role.ORG_ADMIN, is_active=True
        )

    def members_with(self, perm: Perm):
        """Active users whose role here holds `perm` (say, everyone who may approve an absence)."""
        roles = [role for role, perms in ROLE_PERMISSIONS.items() if perm in perms]
        return User.objects.filter(memberships__organization=self, memberships__role__in=roles, is_active=True)


class OrganizationQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)


class OrganizationOwned(models.Model):
    """Base for every tenant-owned model: rows are always reached through their organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", verbose_name=_("organization")
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        abstract = True


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique")]
        ordering = ["organization__name", "user__email"]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"

    def can(self, perm: Perm) -> bool:
        return perm in ROLE_PERMISSIONS[self.role]

    @property
    def is_admin(self) -> bool:
        """Organization and HR admins: the people an organization's MFA rule is for."""
        return self.role in (Role.ORG_ADMIN, Role.HR_ADMIN)


def _new_token():
    return secrets.token_urlsafe(32)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Neither accepted nor revoked (possibly expired: see `Invitation.is_usable`)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An organization admin's invitation for an email address to join with a role."""

    class Revocation(models.TextChoices):
        REVOKED = "revoked", _("Revoked by an organization admin")
        REPLACED = "replaced", _("Replaced by a newer invitation")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation = models.CharField(_("revoked because"), max_length=10, choices=Revocation.choices, blank=True)

    objects = InvitationQuerySet.as_manager()

    VALID_FOR = timezone.timedelta(days=14)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # Two pending invitations with different roles made the first one accepted win silently.
            models.UniqueConstraint(
                Lower("email"), "organization", name="invitation_one_pending_per_address",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organization}"

    @property
    def is_expired(self):
        return timezone.now() >= self.created_at + self.VALID_FOR

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class Notification(OrganizationOwned):
    """An in-app notice for one person (the bell), stored in every language (a stored text) and
    read in theirs, also after they change it."""

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    title = StoredTextField(_("title"))
    body = StoredTextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "organization", "read_at"])]

    def __str__(self):
        return str(self.title)

