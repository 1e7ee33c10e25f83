"""Brygga's one settings file.

Everything that differs between a laptop, CI and production comes from the environment (or a
`.env` file beside manage.py). A bad value stops start-up with a message that names the variable,
so a misconfigured deployment never half-runs.
"""

import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env(cast, name, **kwargs):
    """Read one variable; re-raise any parse error naming the variable."""
    try:
        return cast(name, **kwargs)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} has a bad value: {exc}") from exc


_BOOLEANS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False, "": False}


def _strict_bool(name, default):
    """django-environ reads any unknown word as False; a typo must not silently switch things off."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw not in _BOOLEANS:
        raise ImproperlyConfigured(f"Environment variable {name} must be true or false, not {raw!r}.")
    return _BOOLEANS[raw]


DEBUG = _strict_bool("DEBUG", False)
# Under pytest the test runner's own defaults apply (dev keys, console email, no HTTPS).
TESTING = _strict_bool("BRYGGA_TESTING", "_pytest" in sys.modules)
# `./brygga run`: the demo on one machine. Not DEBUG, so people meet Brygga's own 404 and 500
# pages rather than Django's technical ones, but with development's defaults: throwaway keys,
# console email, plain HTTP, the sandbox's control panel open to this machine. Never in production.
DEMO = _strict_bool("BRYGGA_DEMO", False)
LOCAL_DEFAULTS = DEBUG or TESTING or DEMO

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not LOCAL_DEFAULTS:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (50+ random characters) or DEBUG=true for development."
        )
    # A fixed key is only acceptable where nothing real is protected by it.
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 32 random characters.")

ALLOWED_HOSTS = _env(env.list, "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if LOCAL_DEFAULTS else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is empty: set it to the host names Brygga is served on.")
CSRF_TRUSTED_ORIGINS = _env(env.list, "CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = _env(env.url, "SITE_URL", default="http://127.0.0.1:8000").geturl().rstrip("/")

INSTALLED_APPS = [
    "config.apps.BryggaAdminConfig",  # django.contrib.admin with Brygga's site (config/admin.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_q",
    "organizations",
    "hr",
    "warehouse",
    # Fortnox, room by room (docs/architecture.md): what they share, the connection, then the features.
    "integrations.core",
    "integrations.connection",
    "integrations.hr_sync",
    "integrations.absence_sync",
    "integrations.warehouse_sync",
    "integrations.fortnox_events",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything that reads the session, the user or the organization from the database.
    "config.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "organizations.middleware.CurrentOrganizationMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "organizations.context_processors.organization",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": _env(env.db_url, "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"].get("ENGINE") not in ("django.db.backends.sqlite3", "django.db.backends.postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:/// or postgres:// URL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the job cluster writes; IMMEDIATE takes the write lock
    # at BEGIN, so two writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env.str("SQLITE_TEST_NAME", default=str(BASE_DIR / ".test-db.sqlite3"))}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = _env(env.int, "CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and job cluster --------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("REDIS_URL must start with redis://, rediss:// or unix://")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The cache is shared between the web server and the cluster processes (cluster heartbeat,
    # rate limiter), so it must not be process-local.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "brygga_cache"}}

Q_CLUSTER = {
    "name": env.str("Q_CLUSTER_NAME", default="brygga"),
    "workers": _env(env.int, "Q_WORKERS", default=2),
    "recycle": 500,
    # A task may run for at most `timeout` seconds; `retry` must be longer so a slow task is
    # never handed to a second worker while the first still runs it.
    "timeout": 600,
    "retry": 660,
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 1000,
    "ack_failures": True,
    "poll": 0.5,
    "label": "Jobs",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing cost protects real passwords; test users have none worth protecting.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "organizations.adapters.InviteOnlyAccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Brygga] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Brygga"
MFA_FORMS = {"activate_totp": "organizations.mfa.StableActivateTOTPForm"}

# --- Security -----------------------------------------------------------------------------------
SECURE_SSL = _strict_bool("SECURE_SSL", not LOCAL_DEFAULTS)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY:
    if not LOCAL_DEFAULTS:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY is not set. Generate one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        )
    FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktaW5zZWN1cmUtZmllbGQta2V5LTMyYiE="  # base64 of 32 dev bytes
else:
    from cryptography.fernet import Fernet

    try:
        Fernet(FIELD_ENCRYPTION_KEY)
    except ValueError as exc:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a valid Fernet key: {exc}") from exc

# --- Email --------------------------------------------------------------------------------------
EMAIL_CONFIG = _env(env.email_url, "EMAIL_URL", default="consolemail://" if LOCAL_DEFAULTS else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Brygga <noreply@brygga.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Customers' text messages (warehouse.notices): a class with send(to, text) that raises when the
# text did not go. The default only writes them to the log; a gateway's class is a setting away.
SMS_BACKEND = env.str("SMS_BACKEND", default="warehouse.notices.ConsoleSMSBackend")

# --- Fortnox ------------------------------------------------------------------------------------
FORTNOX_CLIENT_ID = env.str("FORTNOX_CLIENT_ID", default="")
FORTNOX_CLIENT_SECRET = env.str("FORTNOX_CLIENT_SECRET", default="")
# The bundled sandbox stands in for Fortnox in the demo and the tests. It is installed only when
# asked for by name (the test run asks by itself): a production instance that forgot its Fortnox
# client must stop at start-up, not quietly talk to a fake Fortnox with a published secret.
SANDBOX_ENABLED = _strict_bool("FORTNOX_SANDBOX_ENABLED", TESTING)
FORTNOX_SANDBOX_CONTROL_KEY = env.str("FORTNOX_SANDBOX_CONTROL_KEY", default="test-control-key" if TESTING else "")
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("fortnox_sandbox")
    if not (DEBUG or DEMO or FORTNOX_SANDBOX_CONTROL_KEY):
        # Outside DEBUG the control API answers only holders of this key (loopback proves nothing
        # behind a reverse proxy), so without it the sandbox could not be driven at all.
        raise ImproperlyConfigured(
            "FORTNOX_SANDBOX_ENABLED is on without DEBUG: set FORTNOX_SANDBOX_CONTROL_KEY (a long random string) "
            "or switch the sandbox off."
        )
# Benchmarks, chaos drivers, the sandbox's control client and the demo's Fortnox data (devtools/)
# are for people working on Brygga: they drive the sandbox and add management commands a
# production instance has no use for, so they come with DEBUG or the sandbox and never without.
DEVTOOLS_ENABLED = DEBUG or SANDBOX_ENABLED
if DEVTOOLS_ENABLED:
    INSTALLED_APPS.append("devtools")
_sandbox_base = f"{SITE_URL}/sandbox/fortnox"
FORTNOX_AUTH_BASE_URL = _env(env.url, "FORTNOX_AUTH_BASE_URL", default=_sandbox_base if SANDBOX_ENABLED else "https://apps.fortnox.se").geturl().rstrip("/")
FORTNOX_API_BASE_URL = _env(env.url, "FORTNOX_API_BASE_URL", default=_sandbox_base if SANDBOX_ENABLED else "https://api.fortnox.se").geturl().rstrip("/")
if not FORTNOX_CLIENT_ID and SANDBOX_ENABLED:
    # The sandbox registers this client for itself (see fortnox_sandbox).
    FORTNOX_CLIENT_ID = "brygga-sandbox-client"
    FORTNOX_CLIENT_SECRET = "brygga-sandbox-secret"
if FORTNOX_CLIENT_ID and not FORTNOX_CLIENT_SECRET:
    raise ImproperlyConfigured("FORTNOX_CLIENT_SECRET must be set together with FORTNOX_CLIENT_ID.")
if not (FORTNOX_CLIENT_ID or DEBUG):
    raise ImproperlyConfigured(
        "FORTNOX_CLIENT_ID is not set: give Brygga a Fortnox app's FORTNOX_CLIENT_ID and FORTNOX_CLIENT_SECRET, "
        "or set FORTNOX_SANDBOX_ENABLED=true to talk to the bundled sandbox (demo only)."
    )
# The app is set up for Fortnox service accounts (API-FACTS §1; the developer portal's setting):
# the wizard connects with account_type=service, approved by the company's system administrator,
# and every access token comes from client credentials + TenantId, with no refresh token to keep
# alive. Off, connections are user logins with single-use refresh tokens. The demo's sandbox
# allows service accounts; the tests switch it per test.
FORTNOX_SERVICE_ACCOUNTS = _strict_bool("FORTNOX_SERVICE_ACCOUNTS", SANDBOX_ENABLED and not TESTING)
# Consent webhooks are taken only from these addresses (IPs or networks). Empty: the addresses
# the Fortnox auth host (FORTNOX_AUTH_BASE_URL) resolves to. Either way a webhook is only a hint:
# Brygga confirms it with Fortnox before acting (see integrations.fortnox.webhooks).
FORTNOX_WEBHOOK_SOURCES = env.list("FORTNOX_WEBHOOK_SOURCES", default=[])
FORTNOX_TIMEOUT_SECONDS = _env(env.float, "FORTNOX_TIMEOUT_SECONDS", default=30.0)
# The client's first pause before repeating a request that failed on the way (doubling, with
# jitter). The tests take a tenth: they prove that and how often it retries, and the sandbox's
# faults are per request, so waiting longer for the same outcome only costs CI time.
FORTNOX_RETRY_BACKOFF_SECONDS = _env(env.float, "FORTNOX_RETRY_BACKOFF_SECONDS", default=0.05 if TESTING else 0.5)
FORTNOX_RATE_LIMIT_REQUESTS = _env(env.int, "FORTNOX_RATE_LIMIT_REQUESTS", default=25)
# Fortnox calls one job spends on a long absence before it hands the rest to a new job (about
# 20 s at the rate limit), so an absence of any length is spread over jobs and shows progress.
ABSENCE_SYNC_CALL_BUDGET = _env(env.int, "ABSENCE_SYNC_CALL_BUDGET", default=100)
FORTNOX_RATE_LIMIT_WINDOW_SECONDS = _env(env.float, "FORTNOX_RATE_LIMIT_WINDOW_SECONDS", default=5.0)
# Where the client's request budgets are kept without Redis (integrations.fortnox.ratelimit).
FORTNOX_RATE_WINDOW_MODEL = "integrations.FortnoxRateWindow"
# Fortnox's event stream (API-FACTS §10; integrations.fortnox_events): one listener process
# (`manage.py fortnox_events`) for all organizations. Empty: no stream, every organization polls.
# With the sandbox on, its own stream (`manage.py sandbox_events`, fortnox_sandbox/EVENTS.md) on
# FORTNOX_SANDBOX_EVENTS_PORT; under tests none until the `sandbox_stream` fixture starts one.
FORTNOX_SANDBOX_EVENTS_PORT = _env(env.int, "FORTNOX_SANDBOX_EVENTS_PORT", default=9000)
FORTNOX_SANDBOX_EVENTS_RETENTION_DAYS = _env(env.float, "FORTNOX_SANDBOX_EVENTS_RETENTION_DAYS", default=14.0)
FORTNOX_EVENTS_URL = env.str("FORTNOX_EVENTS_URL", default=(
    "" if TESTING else f"ws://127.0.0.1:{FORTNOX_SANDBOX_EVENTS_PORT}/topics-v1" if SANDBOX_ENABLED
    else "wss://ws.fortnox.se/topics-v1"))
# The listener's lease: a second listener takes the stream over this long after the holder's
# last heartbeat (it renews every quarter of it).
FORTNOX_EVENTS_LEASE_SECONDS = _env(env.float, "FORTNOX_EVENTS_LEASE_SECONDS", default=10.0)
# No heartbeat for this long and the organizations poll again (the next 15-minute pull reads everything).
FORTNOX_EVENTS_STALE_SECONDS = _env(env.float, "FORTNOX_EVENTS_STALE_SECONDS", default=30.0)
# While the stream is live, the scheduled pull reads the stream's kinds only this often.
FORTNOX_EVENTS_RECONCILE_HOURS = _env(env.float, "FORTNOX_EVENTS_RECONCILE_HOURS", default=6.0)
# Copies of what was sent to Fortnox and user synchronisations' plans are purged after this many
# days by a daily job (integrations.core.personal_data); bank accounts in them are masked meanwhile.
PERSONAL_DATA_RETENTION_DAYS = _env(env.int, "PERSONAL_DATA_RETENTION_DAYS", default=30)
if PERSONAL_DATA_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("PERSONAL_DATA_RETENTION_DAYS must be at least 1 (days).")

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]  # English with ISO dates and a 24-hour clock (Swedish is Django's own)
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # oauthlib logs request bodies (tokens included) at DEBUG: never let that through.
        "oauthlib": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        # websockets logs each frame at DEBUG: the event stream's add-tenants frame starts with the
        # client secret and carries the access tokens.
        "websockets": {"level": "WARNING"},
    },
}
