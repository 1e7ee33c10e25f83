from django.db import models
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    """Where a change came from, so a listener can tell a sync's own writes from a person's (and
    an integration does not send a change back to the system it came from). Shared by the domains."""

    USER = "user", _("a user")
    EXTERNAL = "external", _("an external system")
    SYSTEM = "system", _("Brygga itself")
