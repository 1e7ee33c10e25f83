"""The one HTTP client for the Fortnox API (/3 and /api/warehouse).

    with FortnoxClient(connection, call_counter=run.call_counter) as client:
        employee = client.get("/3/employees/7")             # envelope unwrapped
        for order in client.iterate("/3/orders", modified_since=cursor): ...
        client.post("/3/articles", {"Article": {...}})

A client keeps its HTTP connections open for reuse until it is closed (the `with` block ends).

Every request goes through the connection's shared rate limiter with a fresh access token.
Failures become the typed errors in `errors`. Idempotent requests (GET, PUT, DELETE) are retried
with exponential backoff and jitter on transient failures; a POST is only repeated after a 429
(Fortnox refused it unprocessed) or a 401 (refused before processing), never after a timeout, a
dropped connection or a 5xx, where it may already have been applied.
"""

import email.utils
import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import requests
from django.conf import settings
from django.utils import timezone

from . import tokens
from .errors import (
    MISSING_SCOPE_CODE,
    NO_API_LICENCE_CODE,
    NO_MODULE_LICENCE_CODE,
    FortnoxAuthError,
    FortnoxBadResponse,
    FortnoxError,
    FortnoxMissingScope,
    FortnoxNoLicence,
    FortnoxNotFound,
    FortnoxRateLimited,
    FortnoxTransientError,
    FortnoxValidationError,
)
from .ratelimit import get_rate_limiter
from .signals import authorisation_lost
from .values import format_lastmodified

log = logging.getLogger("integrations.fortnox")

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})
PAGE_SIZE = 500  # Fortnox's maximum `limit`

# Which scope a path needs, to name it when Fortnox answers 2000663 (longest prefix first).
SCOPE_BY_PATH_PREFIX = [
    ("/api/warehouse/documentdeliveries/custom", "warehousecustomdocument"),
    ("/api/warehouse", "warehouse"),
    ("/3/companyinformation", "companyinformation"),
    ("/3/employees", "salary"),
    ("/3/absencetransactions", "salary"),
    ("/3/attendancetransactions", "salary"),
    ("/3/scheduletimes", "salary"),
    ("/3/salarytransactions", "salary"),
    ("/3/articles", "article"),
    ("/3/suppliers", "supplier"),
    ("/3/customers", "customer"),
    ("/3/orders", "order"),
    ("/3/invoices", "invoice"),
]


def scope_for_path(path: str) -> str:
    return next((scope for prefix, scope in SCOPE_BY_PATH_PREFIX if path.startswith(prefix)), "")


class CallCounter:
    """Counts the requests a sync run sends (retries included), by HTTP status; `None` stands
    for "no response" (timeout, dropped connection). Thread-safe; pass one per run."""

    def __init__(self):
        self.total = 0
        self.by_status = Counter()
        self._lock = threading.Lock()

    def __call__(self, method: str, path: str, status: int | None) -> None:
        with self._lock:
            self.total += 1
            self.by_status[status] += 1


def unwrap(body):
    """Fortnox's envelopes off: {"Employee": {...}} → {...}; {"Employees": [...],
    "MetaInformation": {...}} → [...]. Warehouse API bodies (camelCase, no envelope) pass as they are."""
    if isinstance(body, dict):
        keys = [key for key in body if key != "MetaInformation"]
        if len(keys) == 1 and keys[0][:1].isupper() and isinstance(body[keys[0]], dict | list):
            return body[keys[0]]
    return body


def _list_or_bad(records, path: str) -> list:
    """A list endpoint's records, or FortnoxBadResponse when Fortnox sent something else."""
    if not isinstance(records, list):
        raise FortnoxBadResponse(f"GET {path}: expected a list, got {type(records).__name__}")
    return records


def _lower_keys(mapping) -> dict:
    return {str(key).lower(): value for key, value in mapping.items()} if isinstance(mapping, dict) else {}


def _as_code(value):
    """Fortnox codes are integers, sometimes sent as strings; warehouse codes are words."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def error_for_response(response: requests.Response, path: str) -> FortnoxError:
    """The typed error for a failed response: reads /3 `ErrorInformation` (either key casing),
    warehouse `{"error","message"}` bodies, and bodies that are not JSON at all."""
    try:
        body = _lower_keys(response.json())
    except ValueError:
        body = {}
    info = _lower_keys(body.get("errorinformation")) or body
    code = _as_code(info.get("code") if "code" in info else info.get("error"))
    message = str(info.get("message") or "")
    status = response.status_code
    details = {"status": status, "code": code, "message": message}
    detail = f"{status} on {path}: {message or response.reason} (code {code})"
    if code == MISSING_SCOPE_CODE or code == "missing.rights":
        return FortnoxMissingScope(detail, scope=scope_for_path(path), **details)
    if code in (NO_MODULE_LICENCE_CODE, NO_API_LICENCE_CODE):
        return FortnoxNoLicence(detail, **details)
    if status == 401:
        return FortnoxAuthError(detail, **details)
    if status == 404:
        return FortnoxNotFound(detail, **details)
    if status == 429:
        return FortnoxRateLimited(detail, **details)
    if status >= 500:
        return FortnoxTransientError(detail, **details)
    return FortnoxValidationError(detail, **details)


def _retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, (when - timezone.now()).total_seconds()) if when and when.tzinfo else None


class FortnoxClient:
    """Fortnox's API for one connection: any object with the token fields of
    `integrations.core.models.FortnoxConnection` (the seam is handed it and imports nothing above
    itself; `FortnoxConnection.client_for` opens one for an organization)."""

    def __init__(
        self,
        connection,
        *,
        call_counter: Callable[[str, str, int | None], None] | None = None,
        max_attempts: int = 4,
        backoff_seconds: float | None = None,
        timeout: float | None = None,
    ):
        self.connection = connection
        self.call_counter = call_counter or CallCounter()
        self.max_attempts = max_attempts
        self.backoff_seconds = settings.FORTNOX_RETRY_BACKOFF_SECONDS if backoff_seconds is None else backoff_seconds
        self.timeout = timeout or settings.FORTNOX_TIMEOUT_SECONDS
        self.session = requests.Session()
        # requests reads the proxy environment on every call (milliseconds of CPU each, the
        # biggest cost of a large import); read it once per client instead, so a proxy set in
        # the environment still applies.
        self.session.proxies = requests.utils.get_environ_proxies(settings.FORTNOX_API_BASE_URL)
        self.session.trust_env = False
        self.limiter = get_rate_limiter()

    def __enter__(self) -> "FortnoxClient":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # --- the verbs -----------------------------------------------------------------------------
    def get(self, path: str, params: dict | None = None):
        return unwrap(self.request("GET", path, params=params))

    def post(self, path: str, json=None, params: dict | None = None):
        return unwrap(self.request("POST", path, params=params, json=json))

    def put(self, path: str, json=None, params: dict | None = None, *, once: bool = False):
        return unwrap(self.request("PUT", path, params=params, json=json, once=once))

    def read_then_write(self, path: str, decide: Callable[[dict], dict | None]) -> tuple[dict, dict | None]:
        """GET `path`, then PUT (once, as `put(..., once=True)`) the body `decide(document)`
        returns, if it returns one; the read document and the write's answer (None when nothing
        was written). Fortnox has no conditional write, so a change made in Fortnox after it
        answered the read and before it applies the write is overwritten. Between the two there
        is only `decide`, which should only compare what it has at hand (no database, no HTTP):
        the read's and the write's slots in the rate limit are taken together before the read (a
        full budget would otherwise hold the write back up to a window), and the read's slot is
        settled after the write (settling is a database write, which may wait for a lock)."""
        budget = self.connection.rate_limit_key
        if self.limiter.limit >= 2:
            (read_ticket, write_ticket), taken = self.limiter.acquire_many(budget, 2), time.monotonic()
        else:  # a budget of one request at a time: the write waits for its own
            read_ticket, write_ticket, taken = self.limiter.acquire(budget), None, time.monotonic()
        read_tickets = []
        try:
            try:
                document = unwrap(self.request("GET", path, ticket=read_ticket, settle_later=read_tickets))
                body = decide(document)
            except BaseException:
                if write_ticket is not None:
                    self.limiter.release(budget, write_ticket)
                raise
            if write_ticket is not None and (
                    body is None or time.monotonic() - taken > settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS / 2):
                # A slot taken before a read that took long (retries) may have left the window
                # already, so it no longer counts: the write then waits for a slot of its own.
                self.limiter.release(budget, write_ticket)
                write_ticket = None
            if body is None:
                return document, None
            return document, unwrap(self.request("PUT", path, json=body, once=True, ticket=write_ticket))
        finally:
            for ticket in read_tickets:
                self.limiter.done(budget, ticket)  # counted from later than its answer: never too early

    def delete(self, path: str, params: dict | None = None):
        return unwrap(self.request("DELETE", path, params=params))

    def iterate(self, path: str, params: dict | None = None, *, modified_since=None) -> Iterator[dict]:
        """Every record of a list, page by page with the largest page size. `modified_since`
        (an aware datetime) adds Fortnox's `lastmodified` filter. Warehouse API lists are not
        paginated: their one array is yielded as it is."""
        params = dict(params or {})
        if modified_since is not None:
            params["lastmodified"] = format_lastmodified(modified_since)
        if not path.startswith("/3/"):
            yield from _list_or_bad(self.request("GET", path, params=params), path)
            return
        page = 1
        while True:
            body = self.request("GET", path, params={**params, "limit": PAGE_SIZE, "page": page})
            records = _list_or_bad(unwrap(body), path)
            yield from records
            try:
                total_pages = int((body.get("MetaInformation") or {}).get("@TotalPages") or 1)
            except (AttributeError, TypeError, ValueError, OverflowError):  # the last: "@TotalPages": Infinity
                raise FortnoxBadResponse(f"GET {path}: no readable MetaInformation") from None
            # Only the last page is short: a page count that goes on past it (a broken answer
            # claiming a million pages) must not make a million requests.
            if page >= total_pages or len(records) < PAGE_SIZE:
                return
            page += 1

    # --- the machinery -------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params=None, json=None, once: bool = False, ticket=None,
                settle_later: list | None = None):
        """Send one logical request (with the retries its method allows); the parsed JSON body,
        or None for an empty one. `once`: a 429, 5xx or lost answer is raised, not re-sent — for
        a write decided on a read, which a re-send after a pause could make against a record
        changed meanwhile (the caller's retry reads again); a 401 is still retried with a fresh token.
        `ticket`: a slot of the rate limit already taken for the first attempt; `settle_later`: a
        list the slots of the attempts go into, for the caller to settle (both: `read_then_write`)."""
        method = method.upper()
        max_attempts = 1 if once else self.max_attempts
        attempt = 0
        refused_token = None
        while True:
            attempt += 1
            token, response = self._send(method, path, params, json, attempt, ticket, settle_later)
            ticket = None
            if isinstance(response, FortnoxTransientError):
                if method in IDEMPOTENT_METHODS and attempt < max_attempts:
                    self._sleep_backoff(attempt)
                    continue
                raise response
            if response.status_code == 401 and refused_token is None:
                # Perhaps another worker rotated the token, or it expired early: get a fresh one
                # (under the rotation lock) and try once more. Nothing was processed, so even a
                # POST may be repeated.
                refused_token = token
                tokens.rotate(self.connection, stale_access_token=token)
                continue
            if response.status_code == 429 and attempt < max_attempts:
                time.sleep(self._rate_limit_pause(response, attempt))
                continue
            if response.status_code >= 500 and method in IDEMPOTENT_METHODS and attempt < max_attempts:
                self._sleep_backoff(attempt)
                continue
            if response.status_code >= 400:
                raise self._failure(response, path)
            try:
                return response.json() if response.content else None
            except ValueError:  # an HTML page from a proxy, a body cut short
                raise FortnoxBadResponse(f"{method} {path}: {response.status_code} with a body that is not JSON") from None

    def _send(self, method, path, params, json, attempt, ticket=None, settle_later=None):
        """One HTTP request, counted and logged (method, path, status, time: never a token);
        returns the access token it was sent with and the response (or the transient error)."""
        budget = self.connection.rate_limit_key
        if ticket is None:
            ticket = self.limiter.acquire(budget)
        try:
            # Taken once the request may go, not before waiting for the budget: a token that
            # lives a second (a service account's can) would die in the queue.
            token = tokens.access_token(self.connection)
        except BaseException:
            self.limiter.done(budget, ticket)
            raise
        started = time.monotonic()
        try:
            response = self.session.request(
                method, settings.FORTNOX_API_BASE_URL + path, params=params, json=json, timeout=self.timeout,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
        except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:  # the last two: a body cut off or garbled on the way
            status, result = None, FortnoxTransientError(f"{method} {path}: {exc.__class__.__name__}")
        else:
            status, result = response.status_code, response
        finally:
            if settle_later is None:
                self.limiter.done(budget, ticket)
            else:
                settle_later.append(ticket)
        self.call_counter(method, path, status)
        log.info(
            "fortnox %s %s -> %s in %d ms (attempt %d, connection %s)",
            method, path, status or "no response", (time.monotonic() - started) * 1000, attempt, self.connection.pk,
        )
        return token, result

    def _failure(self, response, path) -> FortnoxError:
        error = error_for_response(response, path)
        if isinstance(error, FortnoxAuthError):
            # Refused even with a freshly rotated token: the authorization itself is gone.
            authorisation_lost.send(sender=type(self.connection), connection=self.connection, reason=str(error))
        return error

    def _sleep_backoff(self, attempt: int) -> None:
        time.sleep(min(30.0, self.backoff_seconds * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5))

    def _rate_limit_pause(self, response, attempt: int) -> float:
        """Honour Retry-After; without one, wait out a whole window (with jitter)."""
        retry_after = _retry_after_seconds(response)
        if retry_after is None:
            retry_after = settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS
        log.warning("fortnox 429 on connection %s; pausing %.1f s (attempt %d)", self.connection.pk, retry_after, attempt)
        return retry_after + random.uniform(0, 0.25)
