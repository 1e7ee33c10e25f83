"""Run worker functions in fresh processes that share the test database and settings."""

from multiprocessing import get_context

from django.conf import settings
from django.db import connection

from . import workers


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def environment() -> dict:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "BRYGGA_TESTING": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SITE_URL": settings.SITE_URL,
        "FORTNOX_AUTH_BASE_URL": settings.FORTNOX_AUTH_BASE_URL,
        "FORTNOX_API_BASE_URL": settings.FORTNOX_API_BASE_URL,
        "FORTNOX_RATE_LIMIT_REQUESTS": str(settings.FORTNOX_RATE_LIMIT_REQUESTS),
        "FORTNOX_RATE_LIMIT_WINDOW_SECONDS": str(settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS),
    }


def run_in_processes(function_name: str, arguments: list[tuple]) -> list:
    """`workers.<function_name>(*args)` once per args tuple, each in its own process, all at once."""
    env = environment()
    with get_context("spawn").Pool(len(arguments)) as pool:
        return pool.starmap(workers.in_process, [(env, function_name, *args) for args in arguments])
