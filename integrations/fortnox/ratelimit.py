"""One request budget per Fortnox connection, shared by every thread, process and machine.

Fortnox allows `FORTNOX_RATE_LIMIT_REQUESTS` (25) requests per `FORTNOX_RATE_LIMIT_WINDOW_SECONDS`
(5 s) sliding window per access token. A sliding log (the send times of the requests in the
current window) lets a connection spend the whole budget at once and then wait exactly until
the oldest request leaves the window: full use of the budget, no 429.

Backends: the database by default (one row per connection, changed under its row lock), Redis
when `REDIS_URL` is set (a sorted set per connection, trimmed and checked in one Lua script, with
Redis's own clock so machines with skewed clocks still agree).
"""

import random
import time
import uuid
from functools import lru_cache

from django.conf import settings
from django.db import transaction

# Fortnox counts a request when it arrives; we count it just before sending. The gap varies by a
# few milliseconds (commit, scheduling, network), so two requests exactly one window apart here
# could land inside one window there. A small margin on the window absorbs that jitter.
WINDOW_MARGIN_SECONDS = 0.15


class DatabaseRateLimiter:
    def __init__(self, limit: int, window: float):
        self.limit = limit
        self.window = window + WINDOW_MARGIN_SECONDS

    def acquire(self, connection_id: int) -> float:
        """Block until a request may be sent for the connection; returns the seconds waited."""
        from integrations.models import FortnoxRateWindow

        FortnoxRateWindow.objects.get_or_create(connection_id=connection_id)
        waited = 0.0
        while True:
            # On PostgreSQL the row lock serialises the connection's senders; on SQLite the
            # IMMEDIATE transaction does (it takes the database's write lock at BEGIN).
            with transaction.atomic():
                row = FortnoxRateWindow.objects.select_for_update().get(pk=connection_id)
                now = time.time()
                recent = sorted(t for t in row.sent_at if t > now - self.window)
                if len(recent) < self.limit:
                    row.sent_at = recent + [now]
                    row.save(update_fields=["sent_at"])
                    return waited
                pause = recent[0] + self.window - now
            pause += random.uniform(0, 0.01)  # waiters would otherwise wake and collide together
            time.sleep(pause)
            waited += pause


_SLIDING_LOG_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.ceil(tonumber(oldest[2]) + window - now)
"""


class RedisRateLimiter:
    def __init__(self, limit: int, window: float, url: str):
        import redis

        self.limit = limit
        self.window_us = int((window + WINDOW_MARGIN_SECONDS) * 1_000_000)
        self.redis = redis.Redis.from_url(url)
        self.script = self.redis.register_script(_SLIDING_LOG_LUA)

    def acquire(self, connection_id: int) -> float:
        key = f"brygga:fortnox:ratelimit:{connection_id}"
        waited = 0.0
        while True:
            wait_us = int(self.script(keys=[key], args=[self.limit, self.window_us, uuid.uuid4().hex]))
            if wait_us <= 0:
                return waited
            pause = wait_us / 1_000_000 + random.uniform(0, 0.01)
            time.sleep(pause)
            waited += pause


@lru_cache(maxsize=8)
def _limiter(limit: int, window: float, redis_url: str):
    if redis_url:
        return RedisRateLimiter(limit, window, redis_url)
    return DatabaseRateLimiter(limit, window)


def get_rate_limiter():
    """The limiter for the current settings (one instance per configuration and process)."""
    return _limiter(settings.FORTNOX_RATE_LIMIT_REQUESTS, settings.FORTNOX_RATE_LIMIT_WINDOW_SECONDS, settings.REDIS_URL)
