"""The rate limit and the per-company fault injection every API request passes through."""

import os
import random
import socket
import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .errors import InjectedFailure, TooManyRequests
from .models import Company, RateEvent, Token


def admit(token: Token):
    """Exactly `rate_limit_requests` accepted requests per sliding window per app (client id)
    and company, whichever of the app's tokens for that company they carry: a second token or
    a re-connect does not double the budget. The company row is locked (on SQLite the
    IMMEDIATE transaction serialises writers), so concurrent requests cannot both take the
    last slot. Refused requests do not count."""
    company = token.company
    now = timezone.now()
    with transaction.atomic():
        list(Company.objects.select_for_update().filter(pk=company.pk).values_list("pk"))
        events = RateEvent.objects.filter(client_id=token.client_id, company=company)
        events.filter(at__lte=now - timedelta(seconds=company.rate_limit_window_seconds)).delete()
        if events.count() >= company.rate_limit_requests:
            raise TooManyRequests()
        RateEvent.objects.create(client_id=token.client_id, company=company, at=now)


@dataclass
class Plan:
    """What the faults decided for one request; `label` goes to the request log."""

    drop_after_write: bool = False
    label: str = ""


def plan(company: Company) -> Plan:
    """Sleeps, then raises for an injected failure or returns whether to drop the connection
    after a write. With a seed, the n-th request of the company always draws the same numbers."""
    if not company.has_faults:
        return Plan()
    rng = _rng(company)
    fail, drop = rng.random() < company.fault_error_rate, rng.random() < company.fault_drop_rate
    if company.fault_latency_ms:
        time.sleep(company.fault_latency_ms / 1000)
    if company.fault_timeout_seconds:
        time.sleep(company.fault_timeout_seconds)
    if Company.objects.filter(pk=company.pk, fault_429_burst__gt=0).update(fault_429_burst=F("fault_429_burst") - 1):
        raise TooManyRequests()
    if fail:
        raise InjectedFailure(company.fault_error_status)
    return Plan(drop_after_write=drop, label="drop" if drop else "")


def take_drop_burst(company: Company) -> bool:
    """Whether this successful write is one of the `fault_drop_burst` next ones (taken atomically,
    so concurrent writes never take the same one twice)."""
    return bool(Company.objects.filter(pk=company.pk, fault_drop_burst__gt=0).update(fault_drop_burst=F("fault_drop_burst") - 1))


def _rng(company: Company) -> random.Random:
    if company.fault_seed is None:
        return random.Random()
    with transaction.atomic():
        counter = Company.objects.select_for_update().values_list("fault_counter", flat=True).get(pk=company.pk)
        Company.objects.filter(pk=company.pk).update(fault_counter=counter + 1)
    return random.Random(f"{company.fault_seed}:{counter}")


def connection_dropper(request):
    """A function that closes the client's socket without an answer, or None when there is no
    socket (Django's test client). Called after the write has been committed and logged, so the
    client sees a connection error although the change happened. gunicorn hands the socket over
    in the environ; Django's runserver/live_server only through the request stream it reads
    (wsgi.input is a LimitedStream around the socket file). shutdown() acts on the connection
    itself, so shutting down a duplicate descriptor drops it for the server thread as well; the
    server's later write then fails with a broken pipe, which both servers log quietly."""
    sock = request.environ.get("gunicorn.socket")
    if sock is not None:
        return lambda: _shutdown(sock)
    stream = getattr(getattr(request.environ.get("wsgi.input"), "_read", None), "__self__", None)
    if stream is None or not hasattr(stream, "fileno"):
        return None

    def drop():
        with socket.socket(fileno=os.dup(stream.fileno())) as duplicate:
            _shutdown(duplicate)

    return drop


def _shutdown(sock: socket.socket):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client hung up first: the connection is gone either way
