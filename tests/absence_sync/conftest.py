"""Absences → Fortnox (the `world` fixture is in tests/support/absences.py)."""

import pytest


@pytest.fixture(autouse=True)
def in_english(in_english):
    """Every test here reads notices and log lines in English, their source text."""
    return in_english


@pytest.fixture(autouse=True)
def generous_limit(settings):
    """Business rules here, not the rate limit (tests/fortnox and the benchmarks prove that): at
    Fortnox's 25 calls per 5 s a day-by-day transfer waits seconds for its window. The job
    clusters started here get the same limit."""
    settings.FORTNOX_RATE_LIMIT_REQUESTS = 100_000


@pytest.fixture
def fortnox_company(make_company):
    """The sandbox's side of the same generous limit."""
    return make_company(rate_limit_requests=100_000)
