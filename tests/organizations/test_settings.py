"""The settings file refuses bad configuration at start-up, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_LIKE = {
    "SECRET_KEY": "q8#Lm2!vZx7@pR4^tY9&wK3*nB6$hJ1%cF5(dG0)sA_eU+iO=lP-rT~yV",
    "FIELD_ENCRYPTION_KEY": "ZGV2LW9ubHktaW5zZWN1cmUtZmllbGQta2V5LTMyYiE=",
    "ALLOWED_HOSTS": "brygga.example.se",
    "DATABASE_URL": "sqlite:////tmp/brygga-settings-test.sqlite3",
    "EMAIL_URL": "smtp://mail.example.se:587",
    "FORTNOX_CLIENT_ID": "real-client",
    "FORTNOX_CLIENT_SECRET": "real-secret",
    "BRYGGA_TESTING": "0",
    "DEBUG": "false",
}


def manage(*args, **env_overrides):
    # Variables the test run itself sets (the browser suite allows async-unsafe ORM use) are not
    # part of a production environment.
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_LIKE and k not in (
        "SQLITE_TEST_NAME", "DJANGO_ALLOW_ASYNC_UNSAFE", "FORTNOX_SANDBOX_ENABLED", "FORTNOX_SANDBOX_CONTROL_KEY")}
    env.update(PRODUCTION_LIKE)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, cwd=ROOT)


def test_check_deploy_is_clean_with_production_like_settings():
    completed = manage("check", "--deploy", "--fail-level", "WARNING")
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", None, "SECRET_KEY is not set"),
        ("SECRET_KEY", "short", "SECRET_KEY is too short"),
        ("FIELD_ENCRYPTION_KEY", None, "FIELD_ENCRYPTION_KEY is not set"),
        ("FIELD_ENCRYPTION_KEY", "not-a-key", "FIELD_ENCRYPTION_KEY is not a valid Fernet key"),
        ("DEBUG", "perhaps", "DEBUG"),
        ("DATABASE_URL", "nosuchdb://x", "DATABASE_URL"),
        ("REDIS_URL", "http://localhost", "REDIS_URL"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS"),
        ("FORTNOX_CLIENT_SECRET", None, "FORTNOX_CLIENT_SECRET"),
        ("FORTNOX_CLIENT_ID", None, "FORTNOX_CLIENT_ID is not set"),
        ("Q_WORKERS", "two", "Q_WORKERS"),
        ("PERSONAL_DATA_RETENTION_DAYS", "a month", "PERSONAL_DATA_RETENTION_DAYS"),
        ("PERSONAL_DATA_RETENTION_DAYS", "0", "PERSONAL_DATA_RETENTION_DAYS must be at least 1"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_the_variable(variable, value, message):
    completed = manage("check", **{variable: value})
    assert completed.returncode != 0
    assert message in completed.stderr


SHOW_SANDBOX = (
    "from django.apps import apps; from django.conf import settings; from django.urls import Resolver404, resolve\n"
    "def mounted(path):\n"
    "    try:\n        resolve(path)\n    except Resolver404:\n        return False\n    return True\n"
    "print(apps.is_installed('fortnox_sandbox'), mounted('/sandbox/fortnox/'), "
    "mounted('/sandbox/fortnox/_control/api/companies'), settings.FORTNOX_API_BASE_URL, settings.FORTNOX_AUTH_BASE_URL, "
    "settings.FORTNOX_EVENTS_URL or '-')"
)


def test_production_settings_without_the_sandbox_flag_neither_install_nor_mount_the_sandbox():
    completed = manage("shell", "--verbosity", "0", "-c", SHOW_SANDBOX)
    # Nor does Brygga talk to one elsewhere: the API, the sign-in and the event stream are Fortnox's own.
    assert completed.stdout.split() == ["False", "False", "False", "https://api.fortnox.se", "https://apps.fortnox.se",
                                        "wss://ws.fortnox.se/topics-v1"], completed.stderr


def test_the_sandbox_runs_only_when_asked_for_by_name():
    completed = manage(
        "shell", "--verbosity", "0", "-c", SHOW_SANDBOX, FORTNOX_CLIENT_ID=None, FORTNOX_CLIENT_SECRET=None,
        SITE_URL="https://brygga.example.se", FORTNOX_SANDBOX_ENABLED="true", FORTNOX_SANDBOX_CONTROL_KEY="k" * 40,
    )
    assert completed.stdout.split() == ["True", "True", "True", "https://brygga.example.se/sandbox/fortnox",
                                        "https://brygga.example.se/sandbox/fortnox", "ws://127.0.0.1:9000/topics-v1"], completed.stderr


SHOW_DEVTOOLS = (
    "from django.apps import apps; from django.core.management import get_commands\n"
    "print(apps.is_installed('devtools'), 'benchmark' in get_commands(), 'fortnox_demo_employees' in get_commands())"
)


def test_production_settings_leave_the_developer_tools_out():
    completed = manage("shell", "--verbosity", "0", "-c", SHOW_DEVTOOLS)
    assert completed.stdout.split() == ["False", "False", "False"], completed.stderr


@pytest.mark.parametrize("switch", [{"DEBUG": "true"}, {"FORTNOX_SANDBOX_ENABLED": "true", "FORTNOX_SANDBOX_CONTROL_KEY": "k" * 40}])
def test_the_developer_tools_come_with_debug_or_the_sandbox(switch):
    completed = manage("shell", "--verbosity", "0", "-c", SHOW_DEVTOOLS, **switch)
    assert completed.stdout.split() == ["True", "True", "True"], completed.stderr


def test_without_debug_the_sandbox_refuses_to_start_without_a_control_key():
    completed = manage("check", FORTNOX_SANDBOX_ENABLED="true")
    assert completed.returncode != 0
    assert "FORTNOX_SANDBOX_CONTROL_KEY" in completed.stderr


def test_the_deploy_check_warns_while_the_sandbox_is_on():
    completed = manage("check", "--deploy", "--fail-level", "WARNING", FORTNOX_SANDBOX_ENABLED="true",
                       FORTNOX_SANDBOX_CONTROL_KEY="k" * 40)
    assert completed.returncode != 0
    assert "fortnox_sandbox.W001" in completed.stdout + completed.stderr


# What each library that sees credentials writes at DEBUG (oauthlib a token request's body, the
# websockets client each frame: the event stream's add-tenants frame names the client secret).
LOG_AT_DEBUG = (
    "import logging\n"
    "for name in ('oauthlib.oauth2.rfc6749', 'requests_oauthlib.oauth2_session', 'urllib3.connectionpool',"
    " 'websockets.client'):\n"
    "    logging.getLogger(name).debug('%s sent clientSecret=s3cret-in-a-frame', name)\n"
    "logging.getLogger('integrations.fortnox_events.listener').debug('brygga debug line')"
)


def test_at_log_level_debug_brygga_s_own_lines_show_but_no_library_logs_a_secret_it_sends():
    completed = manage("shell", "--verbosity", "0", "-c", LOG_AT_DEBUG, LOG_LEVEL="DEBUG")
    assert "brygga debug line" in completed.stderr, completed.stderr
    assert "s3cret" not in completed.stdout + completed.stderr
