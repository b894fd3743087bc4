#!/usr/bin/env python
"""Benchmark of the foundation on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench .venv/bin/python benchmarks/bench_foundation.py

Creates (drops first) its own database — by default `ganbu_bench` on the server of DATABASE_URL,
whatever database name the URL carries — migrates it, and bulk-creates 10,000 candidates across
1,000 selections with 100,000 hash-chained record entries. Then it prints:

- median and p95 latency and the SQL query count of GET /api/v1/candidates/ (paginated), through
  django.test.Client as a logged-in supervisor (who reads every selection);
- the same for one `inspect` transition with every rule checked, on fresh candidates that each
  have a recommendation result (their data is prepared by the stage apps' demo.PREPARE, untimed);
- `verify_record` throughput in entries per second over the whole record, beside a plain loop that
  fetches the same rows and sha256es their bytes (verify should run at ≥ 0.5× its speed);
- signing a checkpoint over every chain (10,000), and verifying the record against it.

Options: see --help. Finishes in well under 5 minutes on 2 cores.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench"))
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--selections", type=int, default=1_000)
    parser.add_argument("--entries", type=int, default=100_000, help="record entries in all (at least 1 a candidate)")
    parser.add_argument("--requests", type=int, default=200, help="timed GET /api/v1/candidates/ requests")
    parser.add_argument("--transitions", type=int, default=200, help="timed inspect transitions")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists (skip drop/create)")
    return parser.parse_args()


def database_url(name: str) -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ganbu_bench")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_foundation.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path="/" + name))


def recreate_database(url: str, name: str, *, keep: bool = False) -> bool:
    """Drop and create the database; with `keep`, reuse it when it exists (and create it when it
    does not: `--keep` on a first run used to crash on the missing database). True when reused."""
    import psycopg

    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if keep and exists:
            return True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return False


def setup_django(url: str):
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic needed here
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


class Clock:
    def __init__(self):
        self.started = time.perf_counter()
        self.last = self.started

    def step(self, what: str):
        now = time.perf_counter()
        print(f"  {what:<52} {now - self.last:6.1f} s", flush=True)
        self.last = now

    def total(self) -> float:
        return time.perf_counter() - self.started


# ---------------------------------------------------------------------------- data


def rules_payload(transition: str, frm: str, to: str) -> dict:
    """A transition payload shaped like the real ones (rules with inputs, thresholds)."""
    return {
        "transition": transition,
        "from": frm,
        "to": to,
        "reason": "",
        "overrides": {},
        "effects": {},
        "rules": [
            {
                "rule": "R2",
                "passed": True,
                "inputs": {"recommendation_dates": ["2026-01-05"], "valid_since": "2025-11-01"},
            },
            {"rule": "R3", "passed": True, "inputs": {"own_unit_results": [{"votes": 30, "present": 36}]}},
            {"rule": "E1", "passed": True, "inputs": {"assessments": {"2024": "competent"}, "since_year": 2023}},
            {"rule": "E2", "passed": True, "inputs": {"year": 2025, "good": 30, "incompetent": 0, "total": 30}},
            {"rule": "E3", "passed": True, "inputs": {"canvassing_finding": False}},
            {"rule": "E4", "passed": True, "inputs": {"has_spouse": True, "spouse_emigrated": False}},
            {"rule": "E5", "passed": True, "inputs": {"active_sanctions": []}},
            {"rule": "E6", "passed": True, "inputs": {"personal_report_status": "checked"}},
            {"rule": "E7", "passed": True, "inputs": {"veto_item_year": None, "since_year": 2025}},
        ],
        "thresholds": {"R2.valid_days": "365", "R3.min_share": "1/2", "E1.years": "3", "E2.min_good_share": "2/3"},
    }


def build(args, clock):
    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from cadre import roles
    from cadre.models import (
        Assessment,
        AssessmentGrade,
        Cadre,
        Candidate,
        Evaluation,
        Level,
        MotionReason,
        Position,
        RecordEntry,
        RecordKind,
        Selection,
        Stage,
        Unit,
    )
    from cadre.record import GENESIS, canonical, entry_hash
    from nomination.models import RecommendationMeeting, RecommendationResult

    rng = random.Random(20261122)
    n_candidates, n_selections = args.candidates, args.selections
    per_selection = n_candidates // n_selections
    users = {}
    for name, role in (
        ("bench_staff", roles.ORG_STAFF),
        ("bench_second", roles.ORG_STAFF),
        ("bench_supervisor", roles.SUPERVISOR),
    ):
        user = User.objects.create_user(username=name, password="bench-password")
        user.groups.set([Group.objects.get(name=role)])
        users[name] = user
    staff, second, supervisor = users["bench_staff"], users["bench_second"], users["bench_supervisor"]

    with transaction.atomic():
        county = Unit.objects.create(name="某县委")
        units = Unit.objects.bulk_create(Unit(name=f"单位{i}", parent=county) for i in range(100))
        selections = Selection.objects.bulk_create(
            Selection(title=f"选任{i}", reason=MotionReason.VACANCY, competitive=True, created_by=staff)
            for i in range(n_selections)
        )
        positions = Position.objects.bulk_create(
            Position(unit=units[i % len(units)], title=f"副局长{i}", level=Level.SECTION_DEPUTY, quota=1)
            for i in range(n_selections)
        )
        Selection.positions.through.objects.bulk_create(
            Selection.positions.through(selection=s, position=p) for s, p in zip(selections, positions, strict=True)
        )
        assign_perm(roles.WORK_ON_SELECTION, staff, Selection.objects.all())
        assign_perm(roles.WORK_ON_SELECTION, second, Selection.objects.all())
    clock.step(f"{n_selections:,} selections, positions, permissions")

    year = timezone.localdate().year
    with transaction.atomic():
        cadres = Cadre.objects.bulk_create(
            (
                Cadre(
                    name=f"干部{i}",
                    gender=rng.choice("MF"),
                    education=rng.choice(["associate", "bachelor", "bachelor", "master"]),
                    birth_date=date(1970, 1, 1) + timedelta(days=rng.randrange(9000)),
                    party_date=date(2000, 7, 1),
                    work_start_date=date(1998, 8, 1),
                    unit=positions[i // per_selection % n_selections].unit,
                    personal_report_status="checked",
                )
                for i in range(n_candidates)
            ),
            batch_size=2000,
        )
        Assessment.objects.bulk_create(
            (Assessment(cadre=c, year=year - k, grade=AssessmentGrade.COMPETENT) for c in cadres for k in (1, 2, 3)),
            batch_size=5000,
        )
        Evaluation.objects.bulk_create(
            (Evaluation(cadre=c, year=year - 1, excellent=20, competent=10) for c in cadres), batch_size=5000
        )
    clock.step(f"{n_candidates:,} cadres with assessments and evaluations")

    stages = [Stage.RECOMMENDATION] * 4 + [Stage.NOMINATION, Stage.INSPECTION, Stage.DELIBERATION, Stage.MOTION]
    with transaction.atomic():
        candidates = Candidate.objects.bulk_create(
            (
                Candidate(
                    selection=selections[i // per_selection % n_selections],
                    position=positions[i // per_selection % n_selections],
                    cadre=cadre,
                    stage=rng.choice(stages),
                )
                for i, cadre in enumerate(cadres)
            ),
            batch_size=2000,
        )
        meetings = RecommendationMeeting.objects.bulk_create(
            RecommendationMeeting(
                selection=s,
                unit=p.unit,
                held_on=timezone.localdate() - timedelta(days=20),
                entitled=40,
                present=36,
                entered_by=staff,
                confirmed_by=second,
                confirmed_at=timezone.now(),
            )
            for s, p in zip(selections, positions, strict=True)
        )
        RecommendationResult.objects.bulk_create(
            (
                RecommendationResult(
                    meeting=meetings[i // per_selection % n_selections],
                    cadre=c.cadre,
                    votes=20 + i % 10,
                    rank=1 + i % 5,
                )
                for i, c in enumerate(candidates)
            ),
            batch_size=5000,
        )
    clock.step(f"{n_candidates:,} candidates, recommendation results")

    # The record: chains computed here exactly as record_append does, then bulk inserted.
    per_candidate = max(1, args.entries // n_candidates)
    flow = [("nominate", "motion", "nomination"), ("recommend", "nomination", "recommendation")]
    batch: list = []
    written = 0
    now = timezone.now() - timedelta(days=30)
    with transaction.atomic():
        for candidate in candidates:
            prev = GENESIS
            for seq in range(1, per_candidate + 1):
                if seq == 1:
                    kind = RecordKind.CREATED
                    payload = {"selection": candidate.selection_id, "cadre": candidate.cadre_id, "cadre_name": "干部"}
                elif seq - 2 < len(flow):
                    kind, payload = RecordKind.TRANSITION, rules_payload(*flow[seq - 2])
                else:
                    kind = RecordKind.FACT
                    payload = {"fact": "个别谈话", "text": f"谈话记录第 {seq} 条：群众评价较好，工作实绩突出。"}
                at = now + timedelta(seconds=written)
                content = canonical(
                    candidate_id=candidate.pk,
                    seq=seq,
                    at=at,
                    actor_id=staff.pk,
                    actor_name=staff.username,
                    kind=kind,
                    payload=payload,
                )
                digest = entry_hash(prev, content)
                batch.append(
                    RecordEntry(
                        candidate_id=candidate.pk,
                        seq=seq,
                        at=at,
                        actor_id=staff.pk,
                        actor_name=staff.username,
                        kind=kind,
                        payload=payload,
                        prev_hash=prev,
                        hash=digest,
                    )
                )
                prev = digest
                written += 1
            if len(batch) >= 5000:
                RecordEntry.objects.bulk_create(batch)
                batch = []
        RecordEntry.objects.bulk_create(batch)
    from django.db import connection

    # Each chain's head, as record_append keeps it.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cadre_recordhead (candidate_id, seq, hash) SELECT DISTINCT ON (candidate_id) "
            "candidate_id, seq, hash FROM cadre_recordentry ORDER BY candidate_id, seq DESC"
        )
    clock.step(f"{written:,} record entries (hash chains) and their heads")

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock.step("ANALYZE")
    return staff, supervisor, [c for c in candidates if c.stage == Stage.RECOMMENDATION]


def reuse(args):
    """The users and the candidates still at the recommendation stage of a kept database; the sizes
    measured are the kept data's (the earlier runs moved some candidates to inspection)."""
    from django.contrib.auth.models import User

    from cadre.models import Candidate, Selection, Stage

    args.candidates = Candidate.objects.count()
    args.selections = Selection.objects.count()
    fresh = list(Candidate.objects.filter(stage=Stage.RECOMMENDATION).order_by("id"))
    if len(fresh) <= args.transitions:
        sys.exit(f"--keep: only {len(fresh)} candidates left to inspect; run without --keep to rebuild")
    return User.objects.get(username="bench_staff"), User.objects.get(username="bench_supervisor"), fresh


# ---------------------------------------------------------------------------- measurements


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return statistics.median(ordered), p95


def bench_list(supervisor, args):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(supervisor)
    pages = (args.candidates + 49) // 50
    rng = random.Random(1)
    assert client.get("/api/v1/candidates/").status_code == 200  # warm up
    samples = []
    for _ in range(args.requests):
        page = rng.randint(1, pages)
        started = time.perf_counter()
        response = client.get("/api/v1/candidates/", {"page": page})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:200]
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/v1/candidates/", {"page": pages // 2}).json()
    assert body["count"] == args.candidates and len(body["results"]) == 50
    return samples, len(ctx.captured_queries)


def stage_preparers():
    import importlib

    from django.apps import apps

    steps = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError:
            continue
        step = getattr(module, "PREPARE", {}).get("inspect")
        if step is not None:
            steps.append(step)
    return steps


def bench_transitions(staff, fresh, args, clock):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cadre import services
    from cadre.models import Candidate

    chosen = random.Random(2).sample(fresh, args.transitions + 1)
    preparers = stage_preparers()
    for candidate in chosen:
        candidate = Candidate.objects.select_related("selection", "position__unit", "cadre").get(pk=candidate.pk)
        for step in preparers:
            step(candidate, staff)
    clock.step(f"prepare {len(chosen)} candidates for inspect (untimed)")

    def move(candidate):
        actor = User.objects.get(pk=staff.pk)  # as a request would: a fresh user, no permission cache
        return services.candidate_transition(actor=actor, candidate_id=candidate.pk, transition="inspect")

    with CaptureQueriesContext(connection) as ctx:
        assert move(chosen[0]).stage == "inspection"
    queries = len(ctx.captured_queries)
    samples = []
    for candidate in chosen[1:]:
        started = time.perf_counter()
        moved = move(candidate)
        samples.append(time.perf_counter() - started)
        assert moved.stage == "inspection"
    return samples, queries


def bench_verify():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    started = time.perf_counter()
    call_command("verify_record", stdout=out)
    elapsed = time.perf_counter() - started
    from cadre.models import RecordEntry

    entries = RecordEntry.objects.count()
    return entries, elapsed, out.getvalue().strip().splitlines()


def bench_plain_loop() -> tuple[int, float]:
    """The yardstick: fetch the same rows with the same query and sha256 their bytes, nothing else."""
    import hashlib

    from django.db import connection, transaction

    from cadre.record import _PG_ROWS

    started = time.perf_counter()
    count = 0
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(_PG_ROWS.format(where=""))
        while chunk := cursor.fetchmany(5000):
            for row in chunk:
                hashlib.sha256("".join(str(v) for v in row).encode()).hexdigest()
                count += 1
    return count, time.perf_counter() - started


def bench_checkpoint() -> tuple[int, float, float]:
    """Sign a checkpoint over every chain, then verify the whole record against it."""
    from cadre import checkpoint, record

    started = time.perf_counter()
    signed = checkpoint.checkpoint_sign()
    signing = time.perf_counter() - started
    started = time.perf_counter()
    result = record.verify()
    verifying = time.perf_counter() - started
    assert result.ok and result.checkpoint["ok"], result.broken[:5]
    return signed.chains, signing, verifying


def main():
    args = parse_args()
    url = database_url(args.database)
    clock = Clock()
    print(f"bench_foundation: database {args.database} on {urlsplit(url).hostname}", flush=True)
    kept = recreate_database(url, args.database, keep=args.keep)
    setup_django(url)
    from django.core.management import call_command

    from cadre.models import Candidate

    call_command("migrate", verbosity=0, interactive=False)
    clock.step("migrate")
    if kept and Candidate.objects.exists():
        # --keep used to build again into the kept data and crash on the users that exist already.
        staff, supervisor, fresh = reuse(args)
        clock.step(f"reuse existing data ({args.candidates:,} candidates, {len(fresh):,} still to inspect)")
    else:
        staff, supervisor, fresh = build(args, clock)

    list_samples, list_queries = bench_list(supervisor, args)
    clock.step(f"{args.requests} × GET /api/v1/candidates/")
    transition_samples, transition_queries = bench_transitions(staff, fresh, args, clock)
    clock.step(f"{args.transitions} × inspect transition")
    entries, elapsed, output = bench_verify()
    clock.step("verify_record")
    plain_entries, plain_elapsed = bench_plain_loop()
    clock.step("plain fetch-and-sha256 loop")
    chains, signing, verifying = bench_checkpoint()
    clock.step("checkpoint")

    list_median, list_p95 = percentiles(list_samples)
    tr_median, tr_p95 = percentiles(transition_samples)
    print()
    print(f"data: {args.candidates:,} candidates in {args.selections:,} selections, {entries:,} record entries")
    print(
        f"GET /api/v1/candidates/ (50 a page, supervisor): median {list_median * 1000:.1f} ms, "
        f"p95 {list_p95 * 1000:.1f} ms, {list_queries} SQL queries"
    )
    print(
        f"inspect transition (all rules):               median {tr_median * 1000:.1f} ms, "
        f"p95 {tr_p95 * 1000:.1f} ms, {transition_queries} SQL queries"
    )
    print(f"verify_record: {entries:,} entries in {elapsed:.2f} s = {entries / elapsed:,.0f} entries/s")
    for line in output:
        print(f"  verify_record says: {line}")
    plain_rate = plain_entries / plain_elapsed
    print(
        f"plain loop (same rows fetched, bytes sha256ed): {plain_entries:,} in {plain_elapsed:.2f} s = "
        f"{plain_rate:,.0f} entries/s; verify_record runs at {entries / elapsed / plain_rate:.2f}× its speed "
        "(target ≥ 0.5×)"
    )
    print(f"checkpoint over {chains:,} chains: signed in {signing:.2f} s; verify against it {verifying:.2f} s")
    print(f"total wall time {clock.total():.0f} s")


if __name__ == "__main__":
    main()
