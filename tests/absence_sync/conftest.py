"""Absences → Fortnox (the `world` fixture is in tests/support/absences.py)."""

import pytest


@pytest.fixture(autouse=True)
def in_english(in_english):
    """Every test here reads notices and log lines in English, their source text."""
    return in_english
