"""Who may use the control panel and the JSON control API."""

import secrets
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse

LOOPBACK = {"127.0.0.1", "::1"}


def control_key() -> str:
    return getattr(settings, "FORTNOX_SANDBOX_CONTROL_KEY", "")


def _developer_machine(request) -> bool:
    """A request from this machine while developing. Outside DEBUG the address proves nothing:
    behind a reverse proxy on the same host every request arrives from loopback. X-Forwarded-For
    is never read; anyone can write it. The demo (`./brygga run`, settings.DEMO) is a developer's
    machine too."""
    return (settings.DEBUG or settings.DEMO) and request.META.get("REMOTE_ADDR") in LOOPBACK


def _same_secret(given: str, expected: str) -> bool:
    # compare_digest refuses non-ASCII text, which a header may well carry.
    return secrets.compare_digest(given.encode(), expected.encode())


def panel_access(view):
    """People: a Brygga superuser, or anyone on the developer's own machine."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_superuser or _developer_machine(request)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def control_api_access(view):
    """Tests and benchmarks: with a control key configured, its header is required; without one
    (DEBUG only, see settings) callers on the developer's machine get in.

    The API has no browser session, so it cannot use CSRF. A page on another site can still make
    the browser send a form or a text/plain body to it (and, on a developer's machine, from
    loopback); it cannot send a JSON content type or the key header without a CORS preflight,
    which is never granted. So every write must say it is JSON."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        key = control_key()
        given = request.headers.get("X-Sandbox-Control-Key", "")
        if not (_same_secret(given, key) if key else _developer_machine(request)):
            return JsonResponse({"error": "forbidden", "message": "The control API is not open to this caller."},
                                status=403)
        if request.method not in ("GET", "HEAD") and request.content_type != "application/json":
            return JsonResponse({"error": "unsupported_media_type",
                                 "message": "The control API takes JSON only (Content-Type: application/json)."},
                                status=415)
        return view(request, *args, **kwargs)

    return wrapped
