#!/usr/bin/env python
"""Benchmark of the staff workspace pages on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_ws .venv/bin/python benchmarks/bench_workspace.py

Creates (drops first) its own database — by default `ganbu_bench_ws` on the server of DATABASE_URL,
whatever database name the URL carries — migrates it, and bulk-creates 10,000 candidates: one
selection with exactly 50 candidates (five posts of ten), the rest in selections of ten; the
organization staff member who is measured is assigned to 20 selections, the 50-candidate one
among them. One candidate of that selection has 200 hash-chained record entries (built with
cadre.record.canonical / entry_hash, inserted with bulk_create); every other candidate has its
"created" entry. Then, through django.test.Client logged in as that staff member, it requests
each page N times (30 by default) and prints, per page, the median and p95 server time, the SQL
query count (CaptureQueriesContext, one extra request) and the HTML size:

- GET /                       the dashboard
- GET /selections/<pk>/       the selection with 50 candidates
- GET /candidates/<pk>/       the candidate with 200 record entries (and its "what is missing")

Options: see --help. Finishes in well under 5 minutes on 2 cores.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_foundation's helpers
from bench_foundation import Clock, database_url, percentiles, recreate_database, rules_payload, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_ws"))
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--per-selection", type=int, default=10, help="candidates in each other selection")
    parser.add_argument("--big-selection", type=int, default=50, help="candidates in the measured selection")
    parser.add_argument("--assigned", type=int, default=20, help="selections the staff member is assigned to")
    parser.add_argument("--entries", type=int, default=200, help="record entries of the measured candidate")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists (skip drop/create)")
    return parser.parse_args()


# ---------------------------------------------------------------------------- data


def timeline_entry(seq: int, rng: random.Random) -> tuple[str, dict]:
    """Kind and payload of entry `seq` of the long record: what a long inspection leaves behind."""
    from cadre.models import RecordKind

    flow = [("nominate", "motion", "nomination"), ("recommend", "nomination", "recommendation")]
    if seq == 1:
        return RecordKind.CREATED, {
            "selection": 0,
            "selection_title": "县财政局副局长选任",
            "motion_reason": "vacancy",
            "position": 0,
            "position_title": "县财政局副局长",
            "cadre": 0,
            "cadre_name": "被考察人",
        }
    if seq - 2 < len(flow):
        return RecordKind.TRANSITION, rules_payload(*flow[seq - 2])
    roll = rng.random()
    if roll < 0.1:
        payload = rules_payload("inspect", "recommendation", "inspection")
        del payload["from"], payload["to"], payload["overrides"], payload["effects"], payload["reason"]
        payload["stage"] = "recommendation"
        violation = {"rule": "R5", "message": "部长办公会尚未研究确定其为考察对象", "overridable": False}
        payload["violations"] = [{**violation, "source": "004 一(四); 000 二"}]
        return RecordKind.REFUSED, payload
    if roll < 0.2:
        return RecordKind.IMPORTANT, {
            "category": "other",
            "category_label": "其他重要情况",
            "text": f"第 {seq} 条重要情况：收到群众来信反映工作作风问题，已转纪检部门了解。",
            "outcome": "经了解，反映问题不属实。",
        }
    return RecordKind.FACT, {
        "fact": "个别谈话",
        "text": f"谈话记录第 {seq} 条：群众评价较好，工作实绩突出，能够团结同志，作风务实。",
    }


def build(args, clock):
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction
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
    big, per = args.big_selection, args.per_selection
    n_others = max(0, args.candidates - big) // per
    users = {}
    for name, role in (("bench_staff", roles.ORG_STAFF), ("bench_second", roles.ORG_STAFF)):
        user = User.objects.create_user(username=name, password="bench-password")
        user.groups.set([Group.objects.get(name=role)])
        users[name] = user
    staff, second = users["bench_staff"], users["bench_second"]

    # Selection 0 has five posts of ten candidates; every other selection one post of `per`.
    with transaction.atomic():
        county = Unit.objects.create(name="某县委")
        units = Unit.objects.bulk_create(Unit(name=f"单位{i}", parent=county) for i in range(100))
        selections = Selection.objects.bulk_create(
            Selection(title=f"选任{i}", reason=MotionReason.VACANCY, competitive=True, created_by=staff)
            for i in range(1 + n_others)
        )
        big_posts = 5
        positions = Position.objects.bulk_create(
            Position(unit=units[i % len(units)], title=f"副局长{i}", level=Level.SECTION_DEPUTY, quota=2)
            for i in range(big_posts + n_others)
        )
        links = [(selections[0], p) for p in positions[:big_posts]]
        links += [(s, p) for s, p in zip(selections[1:], positions[big_posts:], strict=True)]
        Selection.positions.through.objects.bulk_create(
            Selection.positions.through(selection=s, position=p) for s, p in links
        )
        # The staff member works on 20 selections (the big one and 19 others); the second on all.
        mine = [selections[0].pk, *rng.sample([s.pk for s in selections[1:]], min(args.assigned - 1, n_others))]
        assign_perm(roles.WORK_ON_SELECTION, staff, Selection.objects.filter(pk__in=mine))
        assign_perm(roles.WORK_ON_SELECTION, second, Selection.objects.all())
    clock.step(f"{len(selections):,} selections, {len(positions):,} posts, {len(mine)} assigned")

    # Who sits where: a candidate's slot is (selection, post).
    slots = [(selections[0], positions[i // (big // big_posts)]) for i in range(big)]
    slots += [(selections[1 + i // per], positions[big_posts + i // per]) for i in range(n_others * per)]
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
                    unit=slot[1].unit,
                    position=positions[rng.randrange(len(positions))] if rng.random() < 0.3 else None,
                    personal_report_status="checked",
                )
                for i, slot in enumerate(slots)
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
    clock.step(f"{len(cadres):,} cadres with assessments and evaluations")

    stages = [Stage.RECOMMENDATION] * 3 + [
        Stage.MOTION,
        Stage.NOMINATION,
        Stage.INSPECTION,
        Stage.DELIBERATION,
        Stage.DECISION,
        Stage.PUBLICITY,
        Stage.APPOINTED,
        Stage.ELIMINATED,
    ]
    now = timezone.now()
    with transaction.atomic():
        candidates = Candidate.objects.bulk_create(
            (
                Candidate(selection=s, position=p, cadre=c, stage=rng.choice(stages) if i else Stage.RECOMMENDATION)
                for i, ((s, p), c) in enumerate(zip(slots, cadres, strict=True))
            ),
            batch_size=2000,
        )
        # stage_changed_at is auto_now_add: spread it so "waiting longest" and the cards have an order.
        earlier = [c.pk for c in candidates[::7]]
        Candidate.objects.filter(pk__in=earlier).update(stage_changed_at=now - timedelta(days=9))
        # One confirmed recommendation per selection; some held ~11 months ago, so R2 deadlines show.
        meetings = RecommendationMeeting.objects.bulk_create(
            RecommendationMeeting(
                selection=s,
                unit=positions[0 if k == 0 else big_posts + k - 1].unit,
                held_on=timezone.localdate() - timedelta(days=340 if k % 5 == 0 else 20),
                entitled=40,
                present=36,
                entered_by=staff,
                confirmed_by=second,
                confirmed_at=now,
            )
            for k, s in enumerate(selections)
        )
        by_selection = {m.selection_id: m for m in meetings}
        RecommendationResult.objects.bulk_create(
            (
                RecommendationResult(
                    meeting=by_selection[c.selection_id], cadre_id=c.cadre_id, votes=20 + i % 10, rank=1 + i % 5
                )
                for i, c in enumerate(candidates)
            ),
            batch_size=5000,
        )
    clock.step(f"{len(candidates):,} candidates, recommendation results")

    # The record: every candidate's "created" entry, and 200 entries for the measured one.
    measured = candidates[0]
    batch: list = []
    at0 = now - timedelta(days=60)
    with transaction.atomic():
        for candidate in candidates:
            n = args.entries if candidate is measured else 1
            prev = GENESIS
            for seq in range(1, n + 1):
                if n > 1:
                    kind, payload = timeline_entry(seq, rng)
                else:
                    kind, payload = RecordKind.CREATED, {"cadre": candidate.cadre_id}
                at = at0 + timedelta(minutes=seq)
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
            if len(batch) >= 5000:
                RecordEntry.objects.bulk_create(batch)
                batch = []
        RecordEntry.objects.bulk_create(batch)

    # Each chain's head, as record_append keeps it.
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cadre_recordhead (candidate_id, seq, hash) SELECT DISTINCT ON (candidate_id) "
            "candidate_id, seq, hash FROM cadre_recordentry ORDER BY candidate_id, seq DESC"
        )
    clock.step(f"{RecordEntry.objects.count():,} record entries, {args.entries} of one candidate")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock.step("ANALYZE")
    return staff, selections[0], measured


# ---------------------------------------------------------------------------- measurements


def bench_page(client, url: str, n: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm up (templates, content types, permission caches of the process)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    median, p95 = percentiles(samples)
    return {"median": median, "p95": p95, "queries": len(ctx.captured_queries), "bytes": len(response.content)}


def main():
    args = parse_args()
    url = database_url(args.database)
    clock = Clock()
    print(f"bench_workspace: database {args.database} on {urlsplit(url).hostname}", flush=True)
    recreate_database(url, args.database, keep=args.keep)
    setup_django(url)
    from django.core.management import call_command
    from django.test import Client

    from cadre.models import Candidate, RecordEntry

    call_command("migrate", verbosity=0, interactive=False)
    clock.step("migrate")
    if args.keep and Candidate.objects.exists():
        from django.contrib.auth.models import User
        from django.db.models import Count

        staff = User.objects.get(username="bench_staff")
        measured = Candidate.objects.annotate(n=Count("record")).order_by("-n").first()
        big = measured.selection
        clock.step("reuse existing data")
    else:
        staff, big, measured = build(args, clock)

    client = Client()
    client.force_login(staff)
    pages = [
        ("GET / (dashboard)", "/"),
        (f"GET /selections/{big.pk}/ ({big.candidates.count()} candidates)", f"/selections/{big.pk}/"),
        (
            f"GET /candidates/{measured.pk}/ ({RecordEntry.objects.filter(candidate=measured).count()} entries)",
            f"/candidates/{measured.pk}/",
        ),
    ]
    results = []
    for label, path in pages:
        results.append((label, bench_page(client, path, args.requests)))
        clock.step(f"{args.requests} × {label}")

    print()
    print(
        f"data: {Candidate.objects.count():,} candidates, {RecordEntry.objects.count():,} record entries; "
        f"{args.requests} requests a page as an org_staff member assigned to {args.assigned} selections"
    )
    width = max(len(label) for label, _ in results)
    for label, r in results:
        print(
            f"{label:<{width}}  median {r['median'] * 1000:6.1f} ms, p95 {r['p95'] * 1000:6.1f} ms, "
            f"{r['queries']:3d} SQL queries, {r['bytes']:>9,} bytes of HTML"
        )
    print(f"total wall time {clock.total():.0f} s")


if __name__ == "__main__":
    main()
