"""Who may use the control panel and the JSON control API."""

import secrets
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse

LOOPBACK = {"127.0.0.1", "::1"}


def control_key() -> str:
    return getattr(settings, "FORTNOX_SANDBOX_CONTROL_KEY", "")


def _from_this_machine(request) -> bool:
    return request.META.get("REMOTE_ADDR") in LOOPBACK


def panel_access(view):
    """People: from this machine (the demo) or as a Brygga superuser."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (_from_this_machine(request) or request.user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def control_api_access(view):
    """Tests and benchmarks: with a control key configured, its header is required; without
    one, only callers on this machine get in. The API cannot use CSRF (no browser session)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = control_key()
        given = request.headers.get("X-Sandbox-Control-Key", "")
        allowed = secrets.compare_digest(given, key) if key else _from_this_machine(request)
        if not allowed:
            return JsonResponse({"error": "forbidden", "message": "The control API is not open to this caller."},
                                status=403)
        return view(request, *args, **kwargs)

    return wrapped
