"""Project-wide request and response guards (not about any one app)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

NUL = "\x00"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    """A NUL character is never meaningful in an address, a form or a JSON body, and PostgreSQL
    cannot store or even compare text holding one (DataError, a 500). Refused here, once, before
    any view or session lookup can pass it to the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if NUL in request.path or NUL in request.path_info:
            return True
        pairs = [*request.GET.lists(), *((name, [value]) for name, value in request.COOKIES.items())]
        if request.method == "POST" and request.content_type in FORM_TYPES:
            # Read the raw body first: a form parsed from the stream leaves no body for a view
            # that reads it itself (the sandbox's API does).
            request.body  # noqa: B018
            pairs += request.POST.lists()
        if any(NUL in name or any(NUL in value for value in values) for name, values in pairs):
            return True
        # A JSON body (the sandbox's API, the control API) spells NUL as an escape.
        return request.content_type == "application/json" and b"\\u0000" in request.body.lower()


class ContentSecurityPolicyMiddleware:
    """Scripts only from Brygga's own static files (no inline script, no eval), nothing framed,
    forms posted only to Brygga or to Fortnox's consent page. Inline styles stay allowed: htmx
    adds its indicator style and a few templates size an icon inline; a style cannot run code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        return response


def policy() -> str:
    fortnox = urlsplit(settings.FORTNOX_AUTH_BASE_URL)
    form_targets = " ".join(["'self'", f"{fortnox.scheme}://{fortnox.netloc}"])
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form_targets}",
        "frame-ancestors 'none'",
    ])
