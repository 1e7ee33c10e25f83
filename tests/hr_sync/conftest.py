"""The HR integration's tests (the shared world is in tests/support/hr_sync.py)."""

import pytest


@pytest.fixture(autouse=True)
def in_english(in_english):
    """Messages are asserted by their English source text (the default language is Swedish)."""
    return in_english
