"""Settings for benchmarks/bench_ballots.py only: the application's settings, plus the bare floor endpoint.

    DJANGO_SETTINGS_MODULE=benchmarks.floor_settings

Everything is `config.settings` (same middleware, database, cache, logging) except ROOT_URLCONF, which adds
`/bench/floor/` (benchmarks/floor_urls.py) in front of the real URLs. The real application never loads
this module, so the floor endpoint is not reachable there.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.floor_urls"
