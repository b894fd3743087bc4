"""Per-address limits counted in Django's cache (../shared/API.md, 429).

The cache is Redis when REDIS_URL is set, so a limit holds across worker processes; `cache.incr`
is atomic there. A window is fixed: it starts with the first counted event and lasts `window`
seconds; once `limit` events were counted in it, `retry_after` answers the seconds left.

    COMPLAINTS = Limiter("supervision:public-complaint", limit=50, window=3600)
    wait = COMPLAINTS.retry_after(address)   # 0: go ahead
    ...
    COMPLAINTS.hit(address)                  # count one event

Users: voting/throttle.py (wrong ballot codes), supervision/views.py and api.py (public complaints).
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


def client_address(request) -> str:
    """The address a limit is counted for (REMOTE_ADDR; a reverse proxy must set it to the client's)."""
    return request.META.get("REMOTE_ADDR", "")


@dataclass(frozen=True)
class Limiter:
    name: str  # the cache keys' prefix
    limit: int  # events allowed within one window; the next one waits
    window: int  # seconds

    def _keys(self, key) -> tuple[str, str]:
        base = f"{self.name}:{key}"
        return base + ":n", base + ":since"

    def count(self, key) -> int:
        return cache.get(self._keys(key)[0]) or 0

    def retry_after(self, key) -> int:
        """Seconds until `key` may act again; 0 when it may now."""
        count_key, since_key = self._keys(key)
        if (cache.get(count_key) or 0) < self.limit:
            return 0
        since = cache.get(since_key) or time.time()
        return max(1, int(since + self.window - time.time()))

    def hit(self, key) -> int:
        """Count one event for `key`; returns the count in the current window."""
        count_key, since_key = self._keys(key)
        cache.add(since_key, time.time(), self.window)
        cache.add(count_key, 0, self.window)
        try:
            return cache.incr(count_key)
        except ValueError:  # expired between add and incr
            cache.set(count_key, 1, self.window)
            return 1
