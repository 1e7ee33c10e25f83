"""Fortnox's warehouse mode (Lager on or off, `GET /api/warehouse/tenants-v4`): Brygga's
"use the Fortnox warehouse module" must say the same, or every report is refused or wrong.

It is read at connect (and Brygga starts as Fortnox is), at the start of every warehouse run,
when an admin saves the settings and before every fulfilment report. What Fortnox said last is
kept on the settings; while it contradicts the setting, `WarehouseSyncSettings.mode_conflict`
blocks reporting up front (see `receivers.reporting_blocked`), and the organization admins are
told when it starts.

Fortnox's back-order setting (Inställningar → Fakturering → Lager) has no API (API-FACTS §8:
UNCONFIRMED, and neither `/3/settings/company` nor `tenants-v4` carries it), so
`back_orders_in_fortnox` stays the admin's statement."""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.core.models import FortnoxConnection
from integrations.fortnox.errors import FortnoxError
from organizations.actions import do_notify

from .models import WarehouseSyncSettings

log = logging.getLogger("integrations.warehouse_sync")

TENANT = "/api/warehouse/tenants-v4"


def read_warehouse_mode(client, settings: WarehouseSyncSettings) -> bool:
    """Ask Fortnox whether the warehouse module is activated and remember the answer. The first
    answer (after connecting, or the first run of a connection made before Brygga asked) is
    taken as the setting too: Brygga starts in Fortnox's mode (a classic stock write-back is
    impossible with Lager); from then on only an admin changes it."""
    activated = bool(client.get(TENANT).get("activated"))
    already_conflicting = settings.mode_conflict is not None
    fields = ["fortnox_warehouse_module", "fortnox_mode_read_at"]
    if settings.fortnox_warehouse_module is None:
        settings.use_warehouse_module = activated
        settings.write_stock = settings.write_stock and not activated
        fields += ["use_warehouse_module", "write_stock"]
    settings.fortnox_warehouse_module, settings.fortnox_mode_read_at = activated, timezone.now()
    settings.save(update_fields=fields)
    if settings.mode_conflict is not None and not already_conflicting:
        transaction.on_commit(lambda: notify_admins_of_mode_conflict(settings))
    return activated


def notify_admins_of_mode_conflict(settings: WarehouseSyncSettings) -> None:
    """Once, when Fortnox starts to contradict the setting: each organization admin, in their language."""
    organization = settings.organization
    do_notify(
        organization, organization.admins(), title_template="integrations/warehouse/email/mode_conflict_subject.txt",
        body_template="integrations/warehouse/email/mode_conflict_body.txt", context={"settings": settings},
        link=reverse("warehouse_sync_settings"), level="error",
    )


def do_adopt_warehouse_mode(connection: FortnoxConnection, client) -> None:
    """At connect (perhaps to another company): start in this company's mode. A company Brygga
    cannot ask now is asked at the next run."""
    if not connection.warehouse_enabled:
        return
    settings = WarehouseSyncSettings.get_or_create_for(connection.organization)
    settings.fortnox_warehouse_module = None
    settings.save(update_fields=["fortnox_warehouse_module"])
    try:
        read_warehouse_mode(client, settings)
    except FortnoxError as error:
        log.warning("warehouse mode of organization %s not read at connect: %s", connection.organization_id, error)


def refresh_warehouse_mode(organization) -> None:
    """Read the mode again if Fortnox can be asked now (the settings page, before validating)."""
    connection = FortnoxConnection.existing_or_unsaved(organization)
    if not (connection.is_connected and connection.warehouse_enabled):
        return
    try:
        with FortnoxConnection.client_for(organization) as client:
            read_warehouse_mode(client, WarehouseSyncSettings.get_or_create_for(organization))
    except FortnoxError as error:
        log.info("warehouse mode of organization %s not refreshed: %s", organization.pk, error)
