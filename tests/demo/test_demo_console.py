"""What `./brygga run` prints for whoever started the demo: the logins in English (the README's
language), one aligned line per role with the role named, not buried under the demo's emails."""

import io
import os
import socket
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.utils import translation


def test_the_demo_prints_one_aligned_english_line_per_role_and_no_emails(db, settings, capsys):
    settings.LANGUAGE_CODE = "sv"
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    with translation.override("sv"):
        call_command("load_demo", stdout=out)
    printed = out.getvalue() + capsys.readouterr().out  # the console email backend writes to stdout
    logins = printed[printed.index("Demo logins"):].splitlines()[1:]

    assert [line.split("  ")[1].strip() for line in logins] == [
        "Organization admin", "HR admin", "Manager", "Employee", "Warehouse staff"]
    assert len({line.index("@") - len(line.split("@")[0].split()[-1]) for line in logins}) == 1  # emails in one column
    assert "Subject:" not in printed and "Content-Type" not in printed


@pytest.mark.slow
def test_the_demo_server_shows_brygga_s_own_not_found_page_and_still_serves_its_styles(tmp_path):
    """`./brygga run` runs without DEBUG (settings.DEMO keeps development's defaults) and serves
    static files with runserver --insecure, so a visitor meets Brygga's 404 page, styled."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "DEBUG": "false", "BRYGGA_DEMO": "true", "BRYGGA_TESTING": "false",
           "FORTNOX_SANDBOX_ENABLED": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "SITE_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                missing = requests.get(f"{base}/no-such-page/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("the demo server did not start")
        assert missing.status_code == 404
        assert "brygga/brygga.css" in missing.text and "Using the URLconf" not in missing.text  # Brygga's layout, not Django's page
        assert requests.get(f"{base}/static/brygga/brygga.css", timeout=5).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
