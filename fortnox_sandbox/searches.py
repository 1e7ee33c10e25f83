"""The search parameters of /3 lists, as rules a family declares per parameter (see `ApiCall.page`).

A rule is a document field name (substring, case-blind: Fortnox's field search, API-FACTS §2.2)
or a matcher `(value, document) -> bool` made by one of the functions below. A value Fortnox
could not read (a date that is none, a flag that is not true/false) is refused with 2000588."""

from datetime import date

from .errors import invalid_parameter


def contains(field_name: str):
    return lambda value, doc: value.casefold() in str(doc.get(field_name) or "").casefold()


def exact(field_name: str):
    """Whole value, case-blind: `ordertype=Order` must not match "Backorder"."""
    return lambda value, doc: value.casefold() == str(doc.get(field_name) or "").casefold()


def flag(parameter: str, field_name: str):
    def matches(value, doc):
        if value not in ("true", "false"):
            raise invalid_parameter(parameter)
        current = doc.get(field_name)
        return (current.lower() == "true" if isinstance(current, str) else bool(current)) == (value == "true")

    return matches


def _day(parameter: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise invalid_parameter(parameter) from None


def on_or_after(parameter: str, field_name: str):
    return lambda value, doc: bool(doc.get(field_name)) and doc[field_name] >= _day(parameter, value)


def on_or_before(parameter: str, field_name: str):
    return lambda value, doc: bool(doc.get(field_name)) and doc[field_name] <= _day(parameter, value)


def in_rows(rows_field: str, field_name: str):
    """Some row's field contains the value (an invoice with an article)."""
    row_matches = contains(field_name)
    return lambda value, doc: any(row_matches(value, row) for row in doc.get(rows_field) or [])


def label():
    """A record carrying the label with this id (`Labels: [{"Id": 3}]`). Whether Fortnox also
    matches the label's description is UNCONFIRMED; the sandbox matches the id."""
    return lambda value, doc: any(str(item.get("Id")) == value.strip() for item in doc.get("Labels") or [])


def account_range(parameter: str, rows_field: str, at_least: bool):
    """Some row booked on an account from (`at_least`) or up to the given number."""
    def matches(value, doc):
        if not value.strip().isdigit():
            raise invalid_parameter(parameter)
        bound = int(value)
        accounts = [int(row["AccountNumber"]) for row in doc.get(rows_field) or [] if str(row.get("AccountNumber") or "").isdigit()]
        return any(account >= bound if at_least else account <= bound for account in accounts)

    return matches


def document_search(*, date_field: str, text_fields: tuple[str, ...]) -> dict:
    """What orders and invoices share: text fields, labels, the date range, sent/not completed."""
    return {
        **{name.lower(): name for name in text_fields},
        "label": label(),
        "fromdate": on_or_after("fromdate", date_field), "todate": on_or_before("todate", date_field),
        "sent": flag("sent", "Sent"), "notcompleted": flag("notcompleted", "NotCompleted"),
    }
