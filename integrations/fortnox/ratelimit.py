"""One request budget per Fortnox app and company, shared by every thread, process and machine.

Fortnox allows `FORTNOX_RATE_LIMIT_REQUESTS` (25) requests per `FORTNOX_RATE_LIMIT_WINDOW_SECONDS`
(5 s) sliding window per client id and tenant, whatever token a request carries; the budget's
key is `FortnoxConnection.rate_limit_key`. A new connection spends on a budget of its own until
its first call has told which company it is; `merge` then moves those requests over. A sliding log (the send times of the requests in the
current window) lets a connection spend the whole budget at once and then wait exactly until
the oldest request leaves the window: full use of the budget, no 429.

Fortnox counts a request when it arrives, which is somewhere between our send and its answer.
So a request is logged when it is sent (`acquire`, which returns its ticket) and moved to the
moment its answer came back (`done`): a window is then never shorter on Fortnox's clock than on
ours, however slow the network or a loaded server is. It costs one round trip per window.

Backends: the database by default (one row per budget in `settings.FORTNOX_RATE_WINDOW_MODEL`,
changed under its row lock; named by a setting, like the user model, so the seam imports no
model of the product), Redis
when `REDIS_URL` is set (a sorted set per budget, trimmed and checked in one Lua script, with
Redis's own clock so machines with skewed clocks still agree).
"""

import random
import time
import uuid
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import transaction

# Clock granularity and the time between Fortnox reading its clock and sending the answer.
WINDOW_MARGIN_SECONDS = 0.05


def _window_model():
    return apps.get_model(settings.FORTNOX_RATE_WINDOW_MODEL)


class DatabaseRateLimiter:
    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window + WINDOW_MARGIN_SECONDS

    def acquire(self, key: str) -> float:
        """Block until a request may be sent on the budget; returns its ticket for `done`."""
        return self.acquire_many(key, 1)[0]

    def acquire_many(self, key: str, count: int) -> list[float]:
        """Block until `count` requests may be sent at once (a read and the write decided on it);
        their tickets. Taken together, so neither holds a slot while waiting for the other's."""
        if count > self.limit:
            raise ValueError(f"{count} requests at once never fit a budget of {self.limit}")
        FortnoxRateWindow = _window_model()

        FortnoxRateWindow.objects.get_or_create(key=key)
        while True:
            # On PostgreSQL the row lock serialises the budget's senders; on SQLite the
            # IMMEDIATE transaction does (it takes the database's write lock at BEGIN).
            with transaction.atomic():
                row = FortnoxRateWindow.objects.select_for_update().get(pk=key)
                now = time.time()
                recent = sorted(t for t in row.sent_at if t > now - self.window)
                if len(recent) + count <= self.limit:
                    tickets = [now + index * 1e-6 for index in range(count)]  # distinct, for `done`
                    row.sent_at = recent + tickets
                    row.save(update_fields=["sent_at"])
                    return tickets
                pause = recent[len(recent) + count - self.limit - 1] + self.window - now
            time.sleep(pause + random.uniform(0, 0.01))  # jitter: waiters would otherwise collide

    def done(self, key: str, ticket: float) -> None:
        """The answer to the request sent with `ticket` arrived: count it from now."""
        FortnoxRateWindow = _window_model()

        with transaction.atomic():
            row = FortnoxRateWindow.objects.select_for_update().get(pk=key)
            if ticket in row.sent_at:
                row.sent_at = [time.time() if t == ticket else t for t in row.sent_at]
                row.save(update_fields=["sent_at"])

    def release(self, key: str, ticket: float) -> None:
        """The request `ticket` was taken for was never sent: its slot is free again."""
        FortnoxRateWindow = _window_model()

        with transaction.atomic():
            row = FortnoxRateWindow.objects.select_for_update().get(pk=key)
            if ticket in row.sent_at:
                row.sent_at = [t for t in row.sent_at if t != ticket]
                row.save(update_fields=["sent_at"])

    def merge(self, old_key: str, key: str) -> None:
        """The requests sent on `old_key` count on `key` from now on."""
        FortnoxRateWindow = _window_model()

        FortnoxRateWindow.objects.get_or_create(key=key)
        with transaction.atomic():
            rows = {row.pk: row for row in FortnoxRateWindow.objects.select_for_update().filter(pk__in=[old_key, key])}
            if old_key in rows and old_key != key:
                rows[key].sent_at = sorted(rows[key].sent_at + rows[old_key].sent_at)
                rows[key].save(update_fields=["sent_at"])
                rows[old_key].delete()


_SLIDING_LOG_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = #ARGV - 2
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local held = redis.call('ZCARD', KEYS[1])
if held + count <= limit then
  for i = 3, #ARGV do redis.call('ZADD', KEYS[1], now, ARGV[i]) end
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local leaving = held + count - limit - 1
local oldest = redis.call('ZRANGE', KEYS[1], leaving, leaving, 'WITHSCORES')
return math.ceil(tonumber(oldest[2]) + window - now)
"""

_DONE_LUA = """
local t = redis.call('TIME')
redis.call('ZADD', KEYS[1], 'XX', tonumber(t[1]) * 1000000 + tonumber(t[2]), ARGV[1])
return 0
"""


class RedisRateLimiter:
    def __init__(self, limit: int, window: float, url: str):
        import redis

        self.limit = limit
        self.window_us = int((window + WINDOW_MARGIN_SECONDS) * 1_000_000)
        self.redis = redis.Redis.from_url(url)
        self.script = self.redis.register_script(_SLIDING_LOG_LUA)
        self.done_script = self.redis.register_script(_DONE_LUA)

    def acquire(self, key: str) -> str:
        return self.acquire_many(key, 1)[0]

    def acquire_many(self, key: str, count: int) -> list[str]:
        if count > self.limit:
            raise ValueError(f"{count} requests at once never fit a budget of {self.limit}")
        tickets = [uuid.uuid4().hex for _ in range(count)]
        while True:
            wait_us = int(self.script(keys=[self._key(key)], args=[self.limit, self.window_us, *tickets]))
            if wait_us <= 0:
                return tickets
            time.sleep(wait_us / 1_000_000 + random.uniform(0, 0.01))

    def done(self, key: str, ticket: str) -> None:
        self.done_script(keys=[self._key(key)], args=[ticket])

    def release(self, key: str, ticket: str) -> None:
        self.redis.zrem(self._key(key), ticket)

    def merge(self, old_key: str, key: str) -> None:
        if old_key == key:
            return
        source, target = self._key(old_key), self._key(key)
        with self.redis.pipeline() as pipe:
            pipe.zunionstore(target, [target, source], aggregate="MAX")
            pipe.pexpire(target, self.window_us // 1000 + 1000)
            pipe.delete(source)
            pipe.execute()

    @staticmethod
    def _key(key: str) -> str:
        return f"brygga:fortnox:ratelimit:{key}"


@lru_cache(maxsize=8)
def _limiter(limit: int, window: float, redis_url: str):
    if redis_url:
        return RedisRateLimiter(limit, window, redis_url)
    return DatabaseRateLimiter(limit, window)


def get_rate_limiter():
    """The limiter for the current settings (one instance per configuration and process)."""
    return _limiter(settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS, settings.REDIS_URL)
