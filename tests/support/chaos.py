"""What the chaos tests share: the client's short timeout under chaos, and the proof that faults
were injected at all."""

CLIENT_TIMEOUT = 1.0


def assert_faults_were_injected(control, company: dict) -> None:
    """The run met 429s, server errors and dropped connections; without them it proved nothing."""
    log = control.request_log(company)
    statuses = {entry["status"] for entry in log}
    assert 429 in statuses and any(500 <= status < 600 for status in statuses), "faults were not injected"
    assert any(entry["fault"] for entry in log), "no connection was dropped"
