#!/usr/bin/env python
"""Benchmark of online ballots on PostgreSQL, through the real HTTP stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python benchmarks/bench_ballots.py

Creates (drops first) its own database — by default `ganbu_bench_ballots` on the server of DATABASE_URL,
whatever database name the URL carries — migrates it, and creates a recommendation selection (two posts,
six cadres each at the recommendation stage) with open recommendation sessions of one-time codes. Then:

1. Casts through HTTP: gunicorn (3 sync workers, `benchmarks.floor_settings` = the application's settings
   plus one bare endpoint) on a free loopback port; an asyncio + httpx client keeps 50 requests in flight
   and casts 500 ballots, each with its own code, through `POST /api/v1/ballot-sessions/{id}/cast/` (the
   API path: no session, no CSRF). It prints ballots per second and the p50/p99 latency seen by the
   client, and checks in the database that ballots = participation rows = codes used = 500 and that the
   receipts answered are exactly the ballots stored (zero lost, zero duplicated).
2. In the same run, the same load (500 requests, 50 in flight, the same JSON bodies) against the floor:
   `POST /bench/floor/` (benchmarks/floor_urls.py) inserts one row in one transaction through the same
   gunicorn/Django stack. The ballot figures are printed as a ratio to it (target ≥ 0.6, p99 < 250 ms).
   Both are run `--rounds` times (3; a new session of 500 codes each round, which goes first alternating),
   after an untimed warm-up of every worker on both paths; each round's figures are printed too.
3. Tally: a session of 10,000 ballots (codes, participation and ballots bulk-inserted as ballot_cast
   writes them), counted the way ballot_session_close counts (`bulletin_entries` + `tally_entries`)
   against one SQL GROUP BY over the same rows (JIT off: see bench_tally), interleaved; the counts must
   agree (asserted) and the ratio is printed (target: within 5×). The whole close is timed too, in a
   transaction rolled back.

The script prints its figures and asserts no timing. gunicorn is stopped on the way out, error or not;
the database is left for inspection (the next run drops it).
"""

import argparse
import asyncio
import json
import math
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SETTINGS = "benchmarks.floor_settings"
POSTS = 2  # posts recommended for in one session
OPTIONS = 6  # eligible cadres a post
QUOTA = 2  # vacancies a post: a participant marks up to 2 cadres each


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_ballots"))
    parser.add_argument("--voters", type=int, default=500, help="code participants casting through HTTP (a round)")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=3, help="cast + floor rounds, order alternating (a session each)")
    parser.add_argument("--tally-ballots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=9, help="timed runs of each tally (median and best printed)")
    parser.add_argument("--access-log", action="store_true", help="gunicorn access log on (to a temporary file)")
    return parser.parse_args()


def database_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ganbu_bench")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_ballots.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path="/" + name))


def recreate_database(url: str, name: str):
    import psycopg

    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DJANGO_DEBUG="0",  # DEBUG keeps every query in memory: not what a server does
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.pop("DJANGO_ENV", None)
    return env


def setup_django(url: str):
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    os.environ.update({k: v for k, v in server_env(url).items() if k in ("DATABASE_URL", "DJANGO_DEBUG")})
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import logging

    import django

    django.setup()
    for name in ("httpx", "httpcore"):  # one INFO line a request would cost the load generator dearly
        logging.getLogger(name).setLevel(logging.WARNING)


class Clock:
    def __init__(self):
        self.started = time.perf_counter()
        self.last = self.started

    def step(self, what: str):
        now = time.perf_counter()
        print(f"  {what:<60} {now - self.last:6.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


# ---------------------------------------------------------------------------- data


def build_selection():
    """Two posts with two vacancies each, six cadres each at the recommendation stage (bulk-created, as
    bench_foundation does: their record chains start with the sessions' entries)."""
    from datetime import date

    from django.contrib.auth.models import Group, User

    from cadre import roles
    from cadre import services as cadre_services
    from cadre.models import Cadre, Candidate, Level, MotionReason, Position, Stage, Unit

    staff = User.objects.create_user(username="bench_staff", password="bench-password")
    staff.groups.set([Group.objects.get(name=roles.ORG_STAFF)])
    county = Unit.objects.create(name="某县委")
    unit = Unit.objects.create(name="县某局", parent=county)
    positions = [
        Position.objects.create(unit=unit, title=f"副局长{i}", level=Level.SECTION_DEPUTY, quota=QUOTA)
        for i in range(POSTS)
    ]
    selection = cadre_services.selection_create(
        actor=staff, title="县某局副局长民主推荐", reason=MotionReason.VACANCY, positions=positions, competitive=True
    )
    rng = random.Random(20261202)
    cadres = Cadre.objects.bulk_create(
        Cadre(
            name=f"干部{i}",
            gender=rng.choice("MF"),
            education="bachelor",
            birth_date=date(1980, 1, 1),
            party_date=date(2005, 7, 1),
            work_start_date=date(2003, 8, 1),
            unit=unit,
            personal_report_status="checked",
        )
        for i in range(POSTS * OPTIONS)
    )
    Candidate.objects.bulk_create(
        Candidate(selection=selection, position=positions[i // OPTIONS], cadre=c, stage=Stage.RECOMMENDATION)
        for i, c in enumerate(cadres)
    )
    return staff, selection, positions


def open_session(staff, selection, positions, *, title: str, codes: int):
    from voting import services

    session, plain = services.ballot_session_create(
        actor=staff,
        kind="recommendation",
        title=title,
        selection_id=selection.pk,
        position_ids=[p.pk for p in positions],
        codes=codes,
    )
    services.ballot_session_open(actor=staff, session_id=session.pk)
    return session, plain


def session_items(session) -> list[tuple[int, list[int], int]]:
    """(item id, option cadre ids, vacancies) of a recommendation session."""
    return [
        (item.pk, sorted(c.pk for c in item.options.all()), item.vacancies)
        for item in session.items.prefetch_related("options").order_by("id")
    ]


def random_choices(rng: random.Random, items) -> dict[str, list[int]]:
    """A participant's marks: 0 up to `vacancies` cadres of each post's list (mostly the full count)."""
    return {
        str(item_id): sorted(rng.sample(options, rng.choice([vacancies] * 3 + list(range(vacancies)))))
        for item_id, options, vacancies in items
    }


# ---------------------------------------------------------------------------- gunicorn


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn as Procfile starts it (sync workers), on loopback; stopped by `stop`, whatever happened."""

    def __init__(self, url: str, workers: int, access_log: bool):
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench_ballots_gunicorn_", suffix=".log", delete=False)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(ROOT),
            "--error-logfile",
            "-",
        ]
        if access_log:
            command += ["--access-logfile", "-"]
        self.process = subprocess.Popen(
            command,
            env=server_env(url),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the master and its workers are stopped together
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60):
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.base + "/bench/floor/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.tail()}")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def worker_cpu(self) -> float | None:
        """CPU seconds (user + system) the workers have used so far; None where /proc is not there."""
        pids = self.worker_pids()
        if not pids:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
            except ProcessLookupError:
                pass
        self.log.close()


# ---------------------------------------------------------------------------- load


class Batch:
    def __init__(self, name: str):
        self.name = name
        self.latencies: list[float] = []
        self.statuses: dict[int | str, int] = {}
        self.bodies: list = []
        self.wall = 0.0
        self.client_cpu = 0.0
        self.server_cpu: float | None = None

    def merge(self, other: "Batch"):
        self.latencies += other.latencies
        for k, v in other.statuses.items():
            self.statuses[k] = self.statuses.get(k, 0) + v
        self.bodies += other.bodies
        self.wall += other.wall
        self.client_cpu += other.client_cpu
        if other.server_cpu is not None:
            self.server_cpu = (self.server_cpu or 0) + other.server_cpu

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))]  # nearest rank


async def _drive(base: str, requests: list[tuple[str, dict]], concurrency: int, batch: Batch):
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker():
            while True:
                try:
                    path, body = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                started = time.perf_counter()
                try:
                    response = await client.post(path, json=body)
                    status, answer = response.status_code, response.content
                except httpx.HTTPError as exc:
                    status, answer = type(exc).__name__, b""
                batch.latencies.append(time.perf_counter() - started)
                batch.statuses[status] = batch.statuses.get(status, 0) + 1
                batch.bodies.append((status, answer))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        batch.wall = time.perf_counter() - started


def run_batch(server: Server, name: str, requests, concurrency: int) -> Batch:
    batch = Batch(name)
    cpu_before, server_before = time.process_time(), server.worker_cpu()
    asyncio.run(_drive(server.base, requests, concurrency, batch))
    batch.client_cpu = time.process_time() - cpu_before
    server_after = server.worker_cpu()
    if server_before is not None and server_after is not None:
        batch.server_cpu = server_after - server_before
    return batch


def cast_requests(session, codes: list[str], rng: random.Random) -> list[tuple[str, dict]]:
    items = session_items(session)
    path = f"/api/v1/ballot-sessions/{session.pk}/cast/"
    return [(path, {"code": code, "choices": random_choices(rng, items)}) for code in codes]


def check_session(session, batch: Batch, expected: int) -> dict:
    """Zero lost, zero duplicated: every 201 receipt is a stored ballot and every stored ballot was answered."""
    from voting.models import Ballot, BallotParticipation

    receipts = [json.loads(answer)["receipt"] for status, answer in batch.bodies if status == 201]
    stored = list(Ballot.objects.filter(session=session).values_list("receipt", flat=True))
    facts = {
        "answered 201": len(receipts),
        "ballots": len(stored),
        "participation": BallotParticipation.objects.filter(session=session).count(),
        "codes used": session.codes.filter(used=True).count(),
        "distinct receipts": len(set(stored)),
    }
    facts["lost"] = len(set(receipts) - set(stored))
    facts["unanswered or duplicated"] = len(stored) - len(set(stored) & set(receipts))
    facts["ok"] = (
        facts["lost"] == 0
        and facts["unanswered or duplicated"] == 0
        and len(set(facts[k] for k in ("answered 201", "ballots", "participation", "codes used"))) == 1
        and facts["ballots"] == expected
        and facts["distinct receipts"] == expected
    )
    return facts


def queries_per_request(session, code: str, body: dict) -> tuple[int, int]:
    """SQL queries of one cast and of one floor request, in this process through django.test.Client."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with CaptureQueriesContext(connection) as cast:
        response = client.post(
            f"/api/v1/ballot-sessions/{session.pk}/cast/", {**body, "code": code}, content_type="application/json"
        )
    assert response.status_code == 201, response.content[:300]
    with CaptureQueriesContext(connection) as floor:
        response = client.post("/bench/floor/", body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    return len(cast.captured_queries), len(floor.captured_queries)


# ---------------------------------------------------------------------------- tally


def build_tally_session(staff, selection, positions, n: int, rng: random.Random):
    """A closed-to-be session of `n` ballots, rows as ballot_cast writes them (code used, participation,
    ballot with a random receipt). ballot_session_create issues at most MAX_CODES codes: the rest are
    bulk-created and `codes_issued` raised to match, so the close's reconciliation holds."""
    from django.db import connection, transaction

    from voting import services
    from voting.models import Ballot, BallotCode, BallotParticipation, BallotSession

    first = min(n, services.MAX_CODES)
    with transaction.atomic():
        session, _ = services.ballot_session_create(
            actor=staff,
            kind="recommendation",
            title="民主推荐会（计票）",
            selection_id=selection.pk,
            position_ids=[p.pk for p in positions],
            codes=first,
        )
        extra = set()
        while len(extra) < n - first:
            extra.add(services.code_digest(services._random(services.CODE_LENGTH)))
        BallotCode.objects.bulk_create([BallotCode(session=session, digest=d) for d in extra], batch_size=5000)
        BallotSession.objects.filter(pk=session.pk).update(codes_issued=n)
    services.ballot_session_open(actor=staff, session_id=session.pk)
    items = session_items(session)
    receipts = set()
    while len(receipts) < n:
        receipts.add(services._random(services.RECEIPT_LENGTH))
    with transaction.atomic():
        codes = list(session.codes.values_list("pk", flat=True))
        session.codes.update(used=True)
        BallotParticipation.objects.bulk_create(
            [BallotParticipation(session=session, code_id=pk) for pk in codes], batch_size=5000
        )
        Ballot.objects.bulk_create(
            [Ballot(session=session, choices=random_choices(rng, items), receipt=r) for r in receipts],
            batch_size=5000,
        )
    with connection.cursor() as cursor:  # as autovacuum would after 10,000 inserts: the plans see the rows
        cursor.execute("ANALYZE voting_ballot, voting_ballotparticipation, voting_ballotcode")
    return BallotSession.objects.get(pk=session.pk)


GROUP_BY = """
    SELECT item.key::bigint, mark.value::bigint, count(*)
    FROM voting_ballot AS b
    CROSS JOIN LATERAL jsonb_each(b.choices) AS item
    CROSS JOIN LATERAL jsonb_array_elements_text(item.value) AS mark
    WHERE b.session_id = %s
    GROUP BY 1, 2
"""


def counts_of(result: dict) -> dict[tuple[int, int], int]:
    """(item, cadre) → votes of a recommendation tally, the cadres with at least one vote."""
    return {(row["item"], c["cadre"]): c["votes"] for row in result["items"] for c in row["cadres"] if c["votes"]}


def bench_tally(staff, session, repeat: int) -> dict:
    from django.db import connection, transaction

    from cadre.thresholds import snapshot
    from voting import selectors, services

    def the_tally():
        thresholds = snapshot()
        entries = selectors.bulletin_entries(session=session)
        return entries, selectors.tally_entries(session=session, entries=entries, thresholds=thresholds)

    def the_sql(jit: bool = False):
        # The functions' default row estimates make the plan look costly enough for PostgreSQL to JIT-compile
        # it (jit_above_cost), which costs far more than the query: the floor is the query without JIT.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL jit = {'on' if jit else 'off'}")
            cursor.execute(GROUP_BY, [session.pk])
            return {(item, cadre): votes for item, cadre, votes in cursor.fetchall()}

    calls = {
        "tally": the_tally,
        "fetch": lambda: selectors.bulletin_entries(session=session),
        "sql": the_sql,
        "jit": lambda: the_sql(jit=True),
    }
    samples: dict[str, list[float]] = {name: [] for name in calls}
    values = {}
    the_tally(), the_sql()  # warm both (plans, caches)
    for _ in range(repeat):  # interleaved, so a change of load on the machine weighs on each alike
        for name, call in calls.items():
            started = time.perf_counter()
            values[name] = call()
            samples[name].append(time.perf_counter() - started)
    entries, result = values["tally"]
    sql_counts = values["sql"]
    started = time.perf_counter()
    selectors.bulletin_root(entries)
    root_time = time.perf_counter() - started
    counted = counts_of(result)
    assert result["ballots"] == len(entries), (result["ballots"], len(entries))
    assert counted == sql_counts, "the tally and the SQL GROUP BY disagree"

    class Rollback(Exception):
        pass

    started, close_time = time.perf_counter(), None
    try:
        with transaction.atomic():
            closed = services.ballot_session_close(actor=staff, session_id=session.pk)
            close_time = time.perf_counter() - started
            assert counts_of(closed) == sql_counts, "the close's tally and the SQL GROUP BY disagree"
            raise Rollback
    except Rollback:
        pass
    except Exception as exc:  # noqa: BLE001 - an extra figure: say why it is missing, keep the others
        close_time = f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    figures = {name: (statistics.median(times), min(times)) for name, times in samples.items()}
    return {
        "ballots": len(entries),
        "marks": sum(sql_counts.values()),
        "pairs": len(sql_counts),
        **figures,
        "root": root_time,
        "close": close_time,
    }


# ---------------------------------------------------------------------------- main


def line(batch: Batch) -> str:
    n = len(batch.latencies)
    server = f", server CPU {batch.server_cpu / n * 1000:4.1f} ms a request" if batch.server_cpu is not None else ""
    return (
        f"{batch.name:<28} {n:>5} requests in {batch.wall:5.2f} s = {batch.rate:6.0f}/s, "
        f"p50 {batch.pct(0.50) * 1000:6.1f} ms, p99 {batch.pct(0.99) * 1000:6.1f} ms, "
        f"answers {dict(sorted(batch.statuses.items(), key=str))}{server}, "
        f"load generator CPU {batch.client_cpu / batch.wall:.0%}"
    )


def main():
    args = parse_args()
    url = database_url(args.database)
    clock = Clock()
    load_before = os.getloadavg()[0]
    print(f"bench_ballots: database {args.database} on {urlsplit(url).hostname}", flush=True)
    recreate_database(url, args.database)
    setup_django(url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.floor_urls import CREATE_FLOOR_TABLE, FLOOR_TABLE

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(CREATE_FLOOR_TABLE)
    clock.step("migrate, floor table")

    rng = random.Random(7)
    staff, selection, positions = build_selection()
    warm_size = 20 * args.workers + 1  # 20 casts a worker to warm up, one to count queries
    warm, warm_codes = open_session(staff, selection, positions, title="民主推荐会（预热）", codes=warm_size)
    rounds = [
        open_session(staff, selection, positions, title=f"民主推荐会（第 {r + 1} 轮）", codes=args.voters)
        for r in range(args.rounds)
    ]
    clock.step(f"selection, {args.rounds} session(s) of {args.voters} codes, a warm-up session")

    probe_body = random_choices(rng, session_items(warm))
    cast_queries, floor_queries = queries_per_request(warm, warm_codes.pop(), {"choices": probe_body})

    ballots, floors = Batch("cast (HTTP, API)"), Batch("floor (1 INSERT, 1 tx)")
    checks, per_round = [], []
    server = Server(url, args.workers, args.access_log)
    try:
        server.wait_ready()
        clock.step(f"gunicorn up: {args.workers} workers on 127.0.0.1:{server.port}")
        # Warm every worker on both paths (imports, connections, caches) — untimed, on the warm-up session.
        warm_casts = cast_requests(warm, warm_codes, rng)
        run_batch(server, "warm cast", warm_casts, args.concurrency)
        run_batch(server, "warm floor", [("/bench/floor/", b) for _, b in warm_casts], args.concurrency)
        clock.step(f"warm-up: {len(warm_casts)} casts, {len(warm_casts)} floor requests")
        for r, (session, codes) in enumerate(rounds):
            requests = cast_requests(session, codes, rng)
            floor_requests = [("/bench/floor/", body) for _, body in requests]  # the same bodies
            # Alternate which goes first, so a change of load on the machine weighs on both alike.
            first, second = (requests, floor_requests) if r % 2 == 0 else (floor_requests, requests)
            done = {}
            for load in (first, second):
                done[load is requests] = run_batch(server, "", load, args.concurrency)
            ballots.merge(done[True])
            floors.merge(done[False])
            per_round.append((done[True], done[False], "cast first" if r % 2 == 0 else "floor first"))
            checks.append(check_session(session, done[True], args.voters))
            clock.step(f"round {r + 1}: {args.voters} casts and {args.voters} floor requests")
    finally:
        server.stop()
        if ballots.statuses.keys() - {201} or floors.statuses.keys() - {201}:
            print("gunicorn log (tail):\n" + server.tail(), flush=True)
        os.unlink(server.log.name)
    clock.step("gunicorn stopped")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {FLOOR_TABLE}")
        (floor_rows,) = cursor.fetchone()

    tally_session = build_tally_session(staff, selection, positions, args.tally_ballots, rng)
    clock.step(f"tally session: {args.tally_ballots:,} ballots bulk-inserted")
    tally = bench_tally(staff, tally_session, args.repeat)
    clock.step(f"tally ×{args.repeat}, SQL GROUP BY ×{args.repeat}, close (rolled back)")

    ratio = ballots.rate / floors.rate
    print()
    print(f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(
        f"data: recommendation sessions of {POSTS} posts × {OPTIONS} cadres (up to {QUOTA} marks a post); "
        f"{args.rounds} × {args.voters} code participants, {args.concurrency} requests in flight, "
        f"gunicorn {args.workers} sync workers, access log {'on' if args.access_log else 'off'}, DEBUG off"
    )
    print(line(ballots))
    print(line(floors))
    for r, (cast, bare, order) in enumerate(per_round):
        print(
            f"  round {r + 1} ({order}): cast {cast.rate:4.0f}/s p50 {cast.pct(0.5) * 1000:5.0f} ms "
            f"p99 {cast.pct(0.99) * 1000:5.0f} ms; floor {bare.rate:4.0f}/s p50 {bare.pct(0.5) * 1000:5.0f} ms "
            f"p99 {bare.pct(0.99) * 1000:5.0f} ms; ratio {cast.rate / bare.rate:.2f}"
        )
    print(
        f"cast / floor throughput ratio: {ratio:.2f} (target ≥ 0.6); cast p99 {ballots.pct(0.99) * 1000:.1f} ms "
        f"(target < 250 ms); SQL queries a request: cast {cast_queries}, floor {floor_queries}"
    )
    for r, facts in enumerate(checks):
        verdict = "zero lost, zero duplicated" if facts["ok"] else "MISMATCH"
        shown = ", ".join(f"{k} {v}" for k, v in facts.items() if k != "ok")
        print(f"round {r + 1} check: {shown} → {verdict}")
    print(f"floor rows written: {floor_rows:,} (warm-up included)")
    (tally_median, tally_min), (sql_median, sql_min) = tally["tally"], tally["sql"]
    print(
        f"tally of {tally['ballots']:,} ballots ({tally['marks']:,} marks, {tally['pairs']} post×cadre counts), "
        f"median (best) of {args.repeat}: bulletin_entries + tally_entries {tally_median * 1000:.1f} ms "
        f"({tally_min * 1000:.1f}); one SQL GROUP BY {sql_median * 1000:.1f} ms ({sql_min * 1000:.1f}), JIT off; "
        f"ratio {tally_median / sql_median:.1f}× ({tally_min / sql_min:.1f}×) (target within 5×); counts agree"
    )
    print(
        f"  of which bulletin_entries (fetch, sorted by receipt) {tally['fetch'][0] * 1000:.1f} ms "
        f"({tally['fetch'][1] * 1000:.1f}); the GROUP BY with JIT on {tally['jit'][0] * 1000:.1f} ms; "
        f"bulletin_root {tally['root'] * 1000:.1f} ms; the whole ballot_session_close (rolled back) "
        + (f"{close * 1000:.1f} ms" if isinstance(close := tally["close"], float) else close)
    )
    print(f"total wall time {clock.total():.0f} s")
    if not all(facts["ok"] for facts in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
