"""The API machinery every resource family uses: route registration, Bearer authentication,
rate limit, faults, scope and licence checks, the request log, JSON bodies and list pages.

A family declares itself with `Family(scope=..., modules=..., style=...)` and registers
handlers with `@family.route("3/things/<str:ThingId>", "GET", "PUT")`. A handler gets an
`ApiCall` plus the path parameters and returns `call.respond(...)` or raises an `ApiError`."""

import json
import math
import time
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import path, reverse
from django.views.decorators.csrf import csrf_exempt

from . import faults, searches
from .errors import (
    MISSING_SCOPE,
    NO_API_LICENCE,
    NO_MODULE_LICENCE,
    V3,
    ApiError,
    FortnoxError,
    MethodNotAllowed,
    Unauthorized,
    bad_json,
    invalid_filter,
    invalid_parameter,
    no_data,
    unknown_field,
)
from .models import Module, RequestLog, Token
from .store import Store
from .validation import validate

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SCOPE_MODULES = {
    "salary": (Module.SALARY,),
    "warehouse": (Module.WAREHOUSE,),
    "warehousecustomdocument": (Module.WAREHOUSE,),
}
MAX_LIMIT = 500
# Query parameters every /3 list reads; anything else must be one of the list's own searches.
LIST_PARAMETERS = frozenset({"limit", "page", "offset", "sortby", "sortorder", "lastmodified", "filter"})


@dataclass(frozen=True)
class Endpoint:
    handler: object
    scope: str
    modules: tuple
    style: str


# route pattern -> HTTP method -> Endpoint, filled as resource modules are imported
ROUTES: dict[str, dict[str, Endpoint]] = {}


@dataclass
class Family:
    """One resource family's defaults. `modules` adds licences beyond the scope's own (e.g.
    Lager+ for purchase orders); `style` is V3 or WAREHOUSE (error shapes)."""

    scope: str
    modules: tuple = ()
    style: str = V3

    def route(self, pattern: str, *methods: str, scope: str | None = None, modules: tuple = (), licensed: bool = True):
        """`licensed=False` skips the module licences (the API licence and the scope still count)."""

        def register(handler):
            needed = tuple(dict.fromkeys(SCOPE_MODULES.get(scope or self.scope, ()) + self.modules + modules))
            needed = needed if licensed else ()
            for method in methods:
                if method in ROUTES.setdefault(pattern, {}):
                    raise ValueError(f"{method} {pattern} is registered twice.")
                ROUTES[pattern][method] = Endpoint(handler, scope or self.scope, needed, self.style)
            return handler

        return register


def urlpatterns() -> list:
    """Each pattern with and without a trailing slash: Fortnox answers both."""
    patterns = []
    for pattern in ROUTES:
        view = csrf_exempt(_view_for(pattern))
        bare = pattern.rstrip("/")
        patterns += [path(bare, view), path(bare + "/", view)]
    return patterns


def _view_for(pattern: str):
    def view(request, **kwargs):
        return dispatch(request, ROUTES[pattern], kwargs)

    view.route_pattern = pattern
    return view


def call_in_fortnox(company, method: str, tail: str, body, like) -> tuple[int, object]:
    """A change (or read) made in Fortnox itself, as a Fortnox user would in its web app: the
    route's own handler and rules for `company`, without a token, rate limit, faults or request
    log. Used by the control panel and the control API, so their edits are the API's edits (and
    make the same events). `like` is the request whose host the answer's `@url`s use.
    Returns (HTTP status, decoded body or None)."""
    from django.test import RequestFactory
    from django.urls import Resolver404, resolve

    method = method.upper()
    full_path = reverse("fortnox_sandbox:home") + tail.lstrip("/")
    try:
        match = resolve(full_path.split("?", 1)[0])
    except Resolver404:
        return 404, {"message": f"No Fortnox path {tail}"}
    pattern = getattr(match.func, "route_pattern", None)
    endpoint = ROUTES.get(pattern, {}).get(method) if pattern else None
    if endpoint is None:
        return (404 if pattern is None else 405), {"message": f"No {method} {tail} in the sandbox's Fortnox"}
    request = RequestFactory().generic(
        method, full_path, data=json.dumps(body) if body is not None else "", content_type="application/json",
        secure=like.is_secure(), HTTP_HOST=like.get_host())
    try:
        response = endpoint.handler(ApiCall(request, Token(company=company), endpoint), **match.kwargs)
    except ApiError as error:
        response = error.response(endpoint.style)
    text = response.content.decode() if response.content else ""
    try:
        return response.status_code, json.loads(text) if text else None
    except ValueError:
        return response.status_code, text


def dispatch(request, endpoints: dict[str, Endpoint], kwargs: dict):
    started = time.monotonic()
    endpoint = endpoints.get(request.method)
    style = endpoint.style if endpoint else next(iter(endpoints.values())).style
    token, plan = None, faults.Plan()
    try:
        if endpoint is None:
            raise MethodNotAllowed()
        check_content_types(request)
        token = authenticate(request)
        faults.admit(token)
        plan = faults.plan(token.company)
        check_access(token, endpoint)
        response = endpoint.handler(ApiCall(request, token, endpoint), **kwargs)
    except ApiError as error:
        response = error.response(style)
    dropper = None
    written = token is not None and request.method in WRITE_METHODS and response.status_code < 300
    if written and (plan.drop_after_write or faults.take_drop_burst(token.company)):
        dropper = faults.connection_dropper(request)
        plan.label = "dropped" if dropper else "drop impossible (no socket)"
    # Cut to the columns: an address can be as long as a caller likes (PostgreSQL refuses the excess).
    RequestLog.objects.create(
        company=token.company if token else None, token=token, method=request.method[:10], path=request.path[:500],
        query=request.META.get("QUERY_STRING", ""), status=response.status_code, fault=plan.label,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if dropper:
        dropper()
    return response


def check_content_types(request):
    """The sandbox speaks JSON only (Fortnox also speaks XML, which Brygga never uses)."""
    accept = request.headers.get("Accept", "")
    if accept and not any(kind in accept for kind in ("json", "*/*", "application/*")):
        raise FortnoxError(1000030, "Invalid response type")
    if request.body and "json" not in request.content_type:
        raise FortnoxError(1000031, "Invalid content type")


def authenticate(request) -> Token:
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    token = Token.objects.by_access_token(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    if token is None:
        raise Unauthorized()
    return token


def check_access(token: Token, endpoint: Endpoint):
    """Licences before scopes: a company without the module cannot be helped by re-connecting.
    A module switched on after the user approved is not covered by the token (nor by tokens
    refreshed from it): that answers like a missing scope, which tells the app to re-connect."""
    company = token.company
    if not company.api_licence:
        raise FortnoxError(NO_API_LICENCE, "Api-licens saknas.", status=403)
    if any(module not in company.modules for module in endpoint.modules):
        raise FortnoxError(NO_MODULE_LICENCE, "Det finns ingen aktiv licens för önskat scope", status=403)
    if endpoint.scope not in token.scope_list or any(module not in token.modules for module in endpoint.modules):
        raise FortnoxError(MISSING_SCOPE, "Har inte behörighet för scope.", status=company.missing_scope_status)


@dataclass
class ApiCall:
    request: object
    token: Token
    endpoint: Endpoint

    @property
    def company(self):
        return self.token.company

    def store(self, resource: str) -> Store:
        return Store(self.company, resource, reading=self.request.method == "GET")

    def url(self, tail: str) -> str:
        """The `@url` of a record: this sandbox's address in place of api.fortnox.se."""
        return self.request.build_absolute_uri(reverse("fortnox_sandbox:home")) + tail

    def respond(self, data, status: int = 200) -> HttpResponse:
        """JSON as each API writes it: /3 escapes every slash (`"https:\\/\\/api..."`, as
        recorded live), the warehouse API does not. Both decode to the same values."""
        text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
        if self.endpoint.style == V3:
            text = text.replace("/", "\\/")
        return HttpResponse(text, status=status, content_type="application/json")

    def json(self):
        try:
            return json.loads(self.request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise bad_json() from None

    def payload(self, wrapper: str, schema_name: str, read_only: frozenset = frozenset()) -> dict:
        """`{"Wrapper": {...}}` from the body, validated against the OpenAPI schema."""
        body = self.json()
        if not isinstance(body, dict) or not isinstance(body.get(wrapper), dict):
            raise no_data()
        for name in body:
            if name != wrapper:
                raise unknown_field(name)
        return validate(schema_name, body[wrapper], read_only, blanks=True)

    # --- lists --------------------------------------------------------------------------------

    def page(self, records: QuerySet, list_key: str, present, *, filters: dict | None = None,
             sorts: dict | None = None, default_sort=None, search: dict | None = None) -> HttpResponse:
        """A Fortnox list: `lastmodified`, one `filter`, searches, `sortby`/`sortorder`, then
        `limit`/`page`/`offset`, with MetaInformation.

        filters: filter value -> predicate(document); sorts: sortby value -> key(document);
        search: query parameter -> document field (substring, case-blind) or a matcher from
        `searches`. A parameter the list does not know is refused like an unknown filter (400
        2000587), never ignored: a search answered with everything is how duplicates are made."""
        params = self.request.GET
        search = search or {}
        if set(params) - LIST_PARAMETERS - set(search):
            raise invalid_filter()
        since = parse_lastmodified(params.get("lastmodified"))
        if since:
            records = records.filter(modified__gte=since)
        documents = [record.document for record in records]
        if "filter" in params:
            predicate = (filters or {}).get(params["filter"])
            if predicate is None:
                raise invalid_filter()
            documents = [doc for doc in documents if predicate(doc)]
        for parameter, rule in search.items():
            if params.get(parameter):
                matches = rule if callable(rule) else searches.contains(rule)
                documents = [doc for doc in documents if matches(params[parameter], doc)]
        documents = self._sorted(documents, sorts or {}, default_sort)
        limit = self.int_param("limit", 100, 1, MAX_LIMIT)
        page = self.int_param("page", 1, 1)
        offset = self.int_param("offset", 0, 0)
        start = (page - 1) * limit + offset
        return self.respond({
            "MetaInformation": {
                "@TotalResources": len(documents),
                "@TotalPages": math.ceil(len(documents) / limit),
                "@CurrentPage": page,
            },
            list_key: [present(self, doc) for doc in documents[start:start + limit]],
        })

    def _sorted(self, documents: list, sorts: dict, default_sort) -> list:
        params = self.request.GET
        order = params.get("sortorder", "ascending")
        if order not in ("ascending", "descending"):
            raise invalid_parameter("sortorder")
        key = sorts.get(params["sortby"]) if "sortby" in params else default_sort
        if "sortby" in params and key is None:
            raise invalid_parameter("sortby")
        if key is None:
            return documents[::-1] if order == "descending" else documents
        return sorted(documents, key=key, reverse=order == "descending")

    def int_param(self, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        raw = self.request.GET.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid_parameter(name) from None
        if value < minimum or (maximum is not None and value > maximum):
            raise invalid_parameter(name)
        return value


LASTMODIFIED_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def parse_lastmodified(raw: str | None) -> datetime | None:
    """Fortnox keeps modification times to the minute in Swedish local time, so seconds are
    dropped: everything changed during the named minute or later is returned."""
    if not raw:
        return None
    for fmt in LASTMODIFIED_FORMATS:
        try:
            moment = datetime.strptime(raw.strip(), fmt)
        except ValueError:
            continue
        return moment.replace(second=0, tzinfo=STOCKHOLM)
    raise invalid_parameter("lastmodified")


def local_minute(moment: datetime) -> str:
    """A modification time as Fortnox writes it (`LastModified`-style, Stockholm time)."""
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")

