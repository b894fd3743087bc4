"""Wrong ballot codes, per address and per session (../shared/API.md, 429).

More than WRONG_CODES wrong codes for one session from one address within an hour: every code
attempt from that address for that session is refused until the hour (counted from the first wrong
code) has passed. Counted by cadre.ratelimit in Django's cache, which is Redis when REDIS_URL is
set, so the limit holds across worker processes. A used code is a 409 (V2), not a wrong code: only
WrongCode counts.
"""

from cadre.ratelimit import Limiter

WRONG_CODES = 30
WINDOW = 3600  # seconds

# Blocked once more than WRONG_CODES were counted: the (WRONG_CODES + 1)-th wrong code still counts.
_LIMIT = Limiter("voting:wrong-code", limit=WRONG_CODES + 1, window=WINDOW)


def retry_after(session_id, address: str) -> int:
    """Seconds until this address may try codes for this session again; 0 when it may now."""
    return _LIMIT.retry_after(f"{session_id}:{address}")


def wrong_code(session_id, address: str) -> None:
    _LIMIT.hit(f"{session_id}:{address}")
