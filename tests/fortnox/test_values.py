from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from integrations.fortnox.values import (
    cursor_value,
    format_lastmodified,
    lastmodified_since,
    normalise_numbers,
    parse_cursor,
    parse_fortnox_datetime,
    to_decimal,
)


@pytest.mark.parametrize("raw, expected", [
    ("45000", Decimal("45000")), ("-8", Decimal("-8")), ("12.5", Decimal("12.5")), (100, Decimal("100")),
    (12.5, Decimal("12.5")), ("", None), ("  ", None), (None, None),
])
def test_numbers_sent_as_strings_or_numbers_read_the_same(raw, expected):
    assert to_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["12,5", "abc", True, "NaN", "Infinity"])
def test_a_value_that_is_not_a_number_is_reported_not_guessed(raw):
    with pytest.raises(ValueError, match="number|boolean"):
        to_decimal(raw)


def test_only_the_named_fields_are_normalised_so_identifiers_stay_strings():
    record = {"EmployeeId": "2", "PostCode": "11122", "MonthlySalary": "45000", "Extent": ""}
    assert normalise_numbers(record, ["MonthlySalary", "Extent", "HourlyPay"]) == {
        "EmployeeId": "2", "PostCode": "11122", "MonthlySalary": Decimal("45000"), "Extent": None,
    }


def test_a_bad_number_names_its_field():
    with pytest.raises(ValueError, match="MonthlySalary"):
        normalise_numbers({"MonthlySalary": "lots"}, ["MonthlySalary"])


def test_lastmodified_is_stockholm_time_in_whole_minutes():
    summer = datetime(2026, 6, 1, 10, 30, 59, tzinfo=UTC)
    winter = datetime(2026, 1, 15, 23, 5, 1, tzinfo=UTC)
    assert format_lastmodified(summer) == "2026-06-01 12:30"
    assert format_lastmodified(winter) == "2026-01-16 00:05"


def test_lastmodified_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="aware"):
        format_lastmodified(datetime(2026, 6, 1, 10, 30))


def test_an_incremental_cursor_reaches_back_by_the_overlap():
    start = datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
    assert lastmodified_since(start) == "2026-06-01 12:28"
    assert lastmodified_since(start, overlap=timedelta(minutes=10)) == "2026-06-01 12:20"


def test_fortnox_timestamps_are_read_as_stockholm_time():
    assert parse_fortnox_datetime("2026-06-01 12:30") == datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
    assert parse_fortnox_datetime("2026-01-16 00:05:01") == datetime(2026, 1, 15, 23, 5, 1, tzinfo=UTC)
    assert parse_fortnox_datetime("") is None
    with pytest.raises(ValueError):
        parse_fortnox_datetime("yesterday")


def test_a_cursor_is_stored_as_an_aware_iso_moment_and_asked_for_in_fortnox_local_time():
    start = datetime(2026, 6, 1, 10, 30, 15, tzinfo=UTC)
    stored = cursor_value(start)
    assert stored == "2026-06-01T10:30:15+00:00"
    assert parse_cursor(stored) == start
    assert lastmodified_since(parse_cursor(stored)) == "2026-06-01 12:28"
    with pytest.raises(ValueError):
        cursor_value(datetime(2026, 6, 1, 10, 30))


def test_a_cursor_stored_by_an_older_brygga_in_fortnox_format_is_read_as_stockholm_time():
    assert parse_cursor("2026-06-01 12:30:15") == datetime(2026, 6, 1, 10, 30, 15, tzinfo=UTC)
    assert parse_cursor("2026-01-16 00:05") == datetime(2026, 1, 15, 23, 5, tzinfo=UTC)
    assert parse_cursor("") is None
    with pytest.raises(ValueError):
        parse_cursor("yesterday")
