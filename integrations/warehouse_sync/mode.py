"""Fortnox's warehouse mode (Lager on or off, `GET /api/warehouse/tenants-v4`): Brygga's
"use the Fortnox warehouse module" must say the same, or every report is refused or wrong.

It is read at connect (and Brygga starts as Fortnox is), at the start of every warehouse run,
when an admin saves the settings and before every fulfilment report. What Fortnox said last is
kept on the settings; while it contradicts the setting, `WarehouseSyncSettings.mode_conflict`
blocks reporting up front (see `receivers.reporting_blocked`).

Fortnox's back-order setting (Inställningar → Fakturering → Lager) has no API (API-FACTS §8:
UNCONFIRMED, and neither `/3/settings/company` nor `tenants-v4` carries it), so
`back_orders_in_fortnox` stays the admin's statement."""

import logging

from django.utils import timezone

from ..fortnox.errors import FortnoxError
from ..models import FortnoxConnection
from .models import WarehouseSyncSettings

log = logging.getLogger("integrations.warehouse_sync")

TENANT = "/api/warehouse/tenants-v4"


def read_warehouse_mode(client, settings: WarehouseSyncSettings) -> bool:
    """Ask Fortnox whether the warehouse module is activated and remember the answer."""
    activated = bool(client.get(TENANT).get("activated"))
    settings.fortnox_warehouse_module, settings.fortnox_mode_read_at = activated, timezone.now()
    settings.save(update_fields=["fortnox_warehouse_module", "fortnox_mode_read_at"])
    return activated


def do_adopt_warehouse_mode(connection: FortnoxConnection, client) -> None:
    """At connect: the warehouse integration starts in Fortnox's mode (a classic stock write-back
    is impossible with Lager). A company Brygga cannot ask keeps the settings as they are."""
    if not connection.warehouse_enabled:
        return
    settings = WarehouseSyncSettings.for_organization(connection.organization)
    try:
        activated = read_warehouse_mode(client, settings)
    except FortnoxError as error:
        log.warning("warehouse mode of organization %s not read at connect: %s", connection.organization_id, error)
        return
    settings.use_warehouse_module = activated
    settings.write_stock = settings.write_stock and not activated
    settings.save(update_fields=["use_warehouse_module", "write_stock"])


def refresh_warehouse_mode(organization) -> None:
    """Read the mode again if Fortnox can be asked now (the settings page, before validating)."""
    from ..fortnox.client import FortnoxClient

    connection = FortnoxConnection.for_organization(organization)
    if not (connection.is_connected and connection.warehouse_enabled):
        return
    try:
        with FortnoxClient.for_organization(organization) as client:
            read_warehouse_mode(client, WarehouseSyncSettings.for_organization(organization))
    except FortnoxError as error:
        log.info("warehouse mode of organization %s not refreshed: %s", organization.pk, error)
