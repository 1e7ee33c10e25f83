"""The HR integration's own settings and how Brygga's absence types map to Fortnox cause codes.
Their tables keep the names the `integrations` app gave them (see migrations/0001_initial)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.core import personal_data
from integrations.core.fields import EncryptedJSONField
from organizations.models import OrganizationOwned


class AbsenceTypeMapping(OrganizationOwned):
    """Which Fortnox cause code an absence type becomes; blank means "do not transfer"."""

    absence_type = models.OneToOneField("hr.AbsenceType", on_delete=models.CASCADE, related_name="fortnox_mapping",
                                        verbose_name=_("absence type"))
    cause_code = models.CharField(_("Fortnox cause code"), max_length=3, blank=True,
                                  help_text=_("Empty: absences of this type are not transferred."))

    class Meta:
        db_table = "integrations_absencetypemapping"
        verbose_name = _("absence type mapping")
        verbose_name_plural = _("absence type mappings")
        ordering = ["absence_type__position"]

    def __str__(self):
        return f"{self.absence_type_id} → {self.cause_code or '—'}"


class HrIntegrationSettings(OrganizationOwned):
    """The HR integration's choices and how far its set-up wizard got (so it can be resumed)."""

    create_absences = models.BooleanField(_("Create absence in Fortnox when added in Brygga"), default=False)
    create_employees = models.BooleanField(
        _("Create new employees in Fortnox automatically"), default=False,
        help_text=_("A person added in Brygga is created in Fortnox at once, with the payroll fields Brygga holds. "
                    "Someone without a working-time schedule gets Fortnox's 0-hour schedule until one is set."),
    )
    pull_enabled = models.BooleanField(
        _("Read changes from Fortnox automatically"), default=True,
        help_text=_("Brygga reads Fortnox's employees on a schedule and takes over what was changed there."),
    )
    pull_interval_minutes = models.PositiveSmallIntegerField(
        _("Read Fortnox every (minutes)"), default=5, validators=[MinValueValidator(5), MaxValueValidator(1440)],
        help_text=_("From 5 minutes to 1440 (once a day)."),
    )
    add_new_people = models.BooleanField(
        _("Add people who are new in Fortnox to Brygga by themselves"), default=False,
        help_text=_("Otherwise they are listed here for you to add."),
    )
    terms_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("terms accepted by"),
    )
    terms_accepted_at = models.DateTimeField(_("terms accepted at"), null=True, blank=True)
    settings_saved_at = models.DateTimeField(_("settings saved at"), null=True, blank=True)
    mapping_saved_at = models.DateTimeField(_("mapping saved at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    class Meta:
        db_table = "integrations_hrintegrationsettings"
        verbose_name = _("HR integration settings")
        verbose_name_plural = _("HR integration settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="hr_integration_settings_one_per_org")]

    def __str__(self):
        return f"HR integration of {self.organization_id}"

    @classmethod
    def get_or_create_for(cls, organization) -> "HrIntegrationSettings":
        """The organization's settings, made with the defaults the first time they are asked for."""
        return cls.objects.get_or_create(organization=organization)[0]

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None

    @property
    def pull_schedule_name(self) -> str:
        return f"Fortnox HR pull {self.organization_id}"


class EmployeeConflictQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def open(self):
        return self.filter(resolved_at__isnull=True)


class EmployeeConflict(OrganizationOwned):
    """One field of one person changed on both sides, to different values, since they last
    agreed. Nothing is written on either side until someone chooses which value stays."""

    BRYGGA, FORTNOX = "brygga", "fortnox"
    WINNERS = ((BRYGGA, _("Brygga's value")), (FORTNOX, _("Fortnox's value")))

    employee = models.ForeignKey("hr.Employee", on_delete=models.CASCADE, related_name="fortnox_conflicts",
                                 verbose_name=_("employee"))
    field = models.CharField(_("field"), max_length=40)
    # Both values in full while the conflict is open (whoever resolves it must see what they choose
    # between), encrypted like the Fortnox tokens; a bank account or personal identity number is
    # masked once the conflict is resolved (`save`).
    brygga_value = EncryptedJSONField(_("value in Brygga"), null=True, blank=True)
    fortnox_value = EncryptedJSONField(_("value in Fortnox"), null=True, blank=True)
    brygga_changed_at = models.DateTimeField(_("changed in Brygga"), null=True, blank=True)
    fortnox_seen_at = models.DateTimeField(_("seen in Fortnox"), default=timezone.now)
    found_by = models.ForeignKey("integrations.SyncRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("found by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"))
    kept = models.CharField(_("kept"), max_length=10, choices=WINNERS, blank=True)

    objects = EmployeeConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("Fortnox conflict")
        verbose_name_plural = _("Fortnox conflicts")
        ordering = ["employee__family_name", "employee__given_name", "employee_id", "field"]
        constraints = [models.UniqueConstraint(fields=["employee", "field"], condition=models.Q(resolved_at__isnull=True),
                                               name="hr_conflict_one_open_per_field")]

    def __str__(self):
        return f"{self.employee_id} {self.field}"

    def save(self, *args, **kwargs):
        """A resolved conflict keeps no sensitive value in full: the choice has been carried out."""
        if self.resolved_at is not None and self.field in personal_data.SENSITIVE:
            self.brygga_value, self.fortnox_value = (personal_data.masked({self.field: value})[self.field]
                                                     for value in (self.brygga_value, self.fortnox_value))
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "brygga_value", "fortnox_value"}
        super().save(*args, **kwargs)
