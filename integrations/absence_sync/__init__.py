"""Absences → Fortnox absence transactions (issue 7). See README.md in this package."""
