"""What the chaos tests share: the client's short timeout under chaos, and the proof that faults
were injected at all."""

from django.db import connection

CLIENT_TIMEOUT = 1.0
# Each seed runs once per CI run: the SQLite pass takes seed 1, the PostgreSQL pass seed 2, so both
# databases run every domain under every fault profile at half the cost of both seeds on each
# (a seed is up to a minute). More seeds run in `python manage.py benchmark --only chaos`.
SEEDS = [1] if connection.vendor == "sqlite" else [2]


def assert_faults_were_injected(control, company: dict) -> None:
    """The run met 429s, server errors and dropped connections; without them it proved nothing."""
    log = control.request_log(company)
    statuses = {entry["status"] for entry in log}
    assert 429 in statuses and any(500 <= status < 600 for status in statuses), "faults were not injected"
    assert any(entry["fault"] for entry in log), "no connection was dropped"
