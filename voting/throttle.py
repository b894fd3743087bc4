"""Wrong ballot codes, per address and per session (../shared/API.md, 429).

More than WRONG_CODES wrong codes for one session from one address within an hour: every code
attempt from that address for that session is refused until the hour (counted from the first wrong
code) has passed. Kept in Django's cache, which is Redis when REDIS_URL is set, so the limit holds
across worker processes. A used code is a 409 (V2), not a wrong code: only WrongCode counts.
"""

import time

from django.core.cache import cache

WRONG_CODES = 30
WINDOW = 3600  # seconds


def _keys(session_id, address: str) -> tuple[str, str]:
    base = f"voting:wrong-code:{session_id}:{address}"
    return base + ":n", base + ":since"


def retry_after(session_id, address: str) -> int:
    """Seconds until this address may try codes for this session again; 0 when it may now."""
    count_key, since_key = _keys(session_id, address)
    if (cache.get(count_key) or 0) <= WRONG_CODES:
        return 0
    since = cache.get(since_key) or time.time()
    return max(1, int(since + WINDOW - time.time()))


def wrong_code(session_id, address: str) -> None:
    count_key, since_key = _keys(session_id, address)
    cache.add(since_key, time.time(), WINDOW)
    cache.add(count_key, 0, WINDOW)
    try:
        cache.incr(count_key)
    except ValueError:  # expired between add and incr
        cache.set(count_key, 1, WINDOW)
