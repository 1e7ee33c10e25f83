"""Fortnox's value conventions, in one place.

Numbers: the live /3 API often sends numbers as strings ("45000", "-8", "12.5") and empty values
as "" or null; requests may send either. `to_decimal` reads all of those, `normalise_numbers`
applies it to the named fields of a record (only named ones: "EmployeeId": "2" or
"PostCode": "11122" look numeric but are identifiers).

Times: `lastmodified` filters have minute resolution and are read in Swedish local time.
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LASTMODIFIED_FORMAT = "%Y-%m-%d %H:%M"


def to_decimal(value) -> Decimal | None:
    """A Fortnox number (int, float, or a string of one) as a Decimal; "" and None are None.
    Anything else raises ValueError naming the value, so bad data is reported, not guessed."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is a boolean, not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def normalise_numbers(record: dict, fields) -> dict:
    """A copy of `record` with each of `fields` present converted by `to_decimal`."""
    normalised = dict(record)
    for field in fields:
        if field in normalised:
            try:
                normalised[field] = to_decimal(normalised[field])
            except ValueError as exc:
                raise ValueError(f"{field}: {exc}") from None
    return normalised


def format_lastmodified(moment: datetime) -> str:
    """The `lastmodified` parameter for an aware datetime: Stockholm time, whole minutes
    (seconds dropped, so the filter never starts after `moment`)."""
    if moment.tzinfo is None:
        raise ValueError("lastmodified needs an aware datetime")
    return moment.astimezone(STOCKHOLM).strftime(LASTMODIFIED_FORMAT)


def lastmodified_since(last_good_start: datetime, overlap: timedelta = timedelta(minutes=2)) -> str:
    """The cursor for an incremental pull: the start of the last good run minus an overlap, since
    Fortnox's minute resolution and clock differences could otherwise skip a change. Re-reading
    a few records is harmless (imports are upserts)."""
    return format_lastmodified(last_good_start - overlap)


def parse_fortnox_datetime(value: str) -> datetime | None:
    """Fortnox's "YYYY-MM-DD HH:MM[:SS]" local timestamps (e.g. LastModified) as aware datetimes."""
    if not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", LASTMODIFIED_FORMAT, "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=STOCKHOLM)
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a Fortnox timestamp")


def cursor_value(moment: datetime) -> str:
    """A pull cursor as stored: an aware ISO-8601 moment (turned into Fortnox's local
    `lastmodified` only when asking Fortnox, see `lastmodified_since`)."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} is naive: a cursor is an aware moment")
    return moment.isoformat()


def parse_cursor(value: str) -> datetime | None:
    """A stored pull cursor as an aware datetime. Older Brygga stored Fortnox's naive local
    format ("YYYY-MM-DD HH:MM:SS"): such a value is read as Stockholm time, as it was meant."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return parse_fortnox_datetime(value)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=STOCKHOLM)
