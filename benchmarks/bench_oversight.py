#!/usr/bin/env python
"""Benchmark of the supervisors' section 监督 on PostgreSQL (issue 8: "median and p95 of the
supervisors' overview with 10,000 candidates and its query count").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_ov .venv/bin/python benchmarks/bench_oversight.py

Creates (drops first) its own database — by default `ganbu_bench_ov` on the server of DATABASE_URL,
whatever database name the URL carries — migrates it and bulk-creates the data of
`bench_workspace.py` (10,000 candidates: one selection of 50, the others of ten, in every stage;
one candidate with 200 hash-chained record entries, every other with its "created" entry), then
adds one important situation to every 20th candidate (a second, hash-chained entry; the head moved
on) and 400 complaints, a quarter of them still open. Then, through django.test.Client logged in
as a supervisor, it requests each page N times (30 by default) after one warm-up request and
prints the median and p95 server time, the SQL query count (CaptureQueriesContext, one more
request) and the size of the HTML:

- GET /supervision/oversight/                  the overview (first page of 50 candidates of 10,000)
- GET /supervision/oversight/?page=150         a page deep in the list
- GET /supervision/oversight/?stage=inspection a filtered list
- GET /supervision/oversight/selections/       every selection (50 a page)
- GET /supervision/oversight/important/        important situations (S2)
- GET /supervision/oversight/responsibility/   who was responsible at each stage (S4)
- GET /supervision/oversight/complaints/       complaints
- GET /supervision/oversight/candidates/<pk>/  the candidate with 200 record entries, read-only

No assertion on time: the figures are printed. Options: see --help.
"""

import argparse
import os
import random
import sys
from argparse import Namespace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers of the other benchmarks
from bench_foundation import Clock, database_url, recreate_database, setup_django  # noqa: E402
from bench_workspace import bench_page  # noqa: E402
from bench_workspace import build as build_workspace  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_ov"))
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--important-every", type=int, default=20, help="one important situation per N candidates")
    parser.add_argument("--complaints", type=int, default=400)
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="reuse the database if it exists (skip drop/create)")
    return parser.parse_args()


def add_oversight_data(args, staff, clock):
    """Important situations on every Nth candidate (appended to its chain) and complaints."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cadre.models import Candidate, RecordEntry, RecordHead, RecordKind
    from cadre.record import canonical, entry_hash
    from supervision.models import Complaint

    rng = random.Random(20261202)
    heads = {h.candidate_id: h for h in RecordHead.objects.all()}
    ids = list(Candidate.objects.order_by("pk").values_list("pk", flat=True))
    chosen = [pk for pk in ids[1 :: args.important_every] if heads[pk].seq == 1]
    categories = [("other", "其他重要情况"), ("disagreement", "酝酿中有较大分歧"), ("complaint", "收到举报")]
    now = timezone.now()
    batch = []
    for i, pk in enumerate(chosen):
        head = heads[pk]
        category, label = categories[i % len(categories)]
        payload = {
            "category": category,
            "category_label": label,
            "text": f"第 {i} 件重要情况：收到群众来信反映工作作风问题，已转纪检部门了解。",
            "outcome": "经了解，反映问题不属实。" if i % 2 else "",
        }
        at = now - timedelta(days=rng.randrange(300), minutes=rng.randrange(1440))
        content = canonical(
            candidate_id=pk,
            seq=head.seq + 1,
            at=at,
            actor_id=staff.pk,
            actor_name=staff.username,
            kind=RecordKind.IMPORTANT,
            payload=payload,
        )
        batch.append(
            RecordEntry(
                candidate_id=pk,
                seq=head.seq + 1,
                at=at,
                actor_id=staff.pk,
                actor_name=staff.username,
                kind=RecordKind.IMPORTANT,
                payload=payload,
                prev_hash=head.hash,
                hash=entry_hash(head.hash, content),
            )
        )
    with transaction.atomic():
        RecordEntry.objects.bulk_create(batch, batch_size=2000)
        with connection.cursor() as cursor:  # each head one entry forward, as record_append moves it
            cursor.execute(
                "UPDATE cadre_recordhead h SET seq = e.seq, hash = e.hash FROM cadre_recordentry e "
                "WHERE e.candidate_id = h.candidate_id AND e.seq = h.seq + 1"
            )
    clock.step(f"{len(batch):,} important situations")

    statuses = [Complaint.Status.CONCLUDED] * 3 + [Complaint.Status.INVESTIGATING]
    today = timezone.localdate()
    Complaint.objects.bulk_create(
        Complaint(
            candidate_id=ids[rng.randrange(len(ids))],
            received_on=today - timedelta(days=rng.randrange(300)),
            channel=rng.choice(Complaint.Channel.values),
            category=rng.choice(Complaint.Category.values),
            text="反映该同志存在跑官要官问题",
            status=status,
            assigned_to=staff,
            outcome=Complaint.Outcome.UNSUBSTANTIATED if status == Complaint.Status.CONCLUDED else "",
            conclusion="经核查，反映问题不属实" if status == Complaint.Status.CONCLUDED else "",
            concluded_on=today if status == Complaint.Status.CONCLUDED else None,
            created_by=staff,
        )
        for status in (statuses[i % len(statuses)] for i in range(args.complaints))
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock.step(f"{args.complaints} complaints, ANALYZE")


def main():
    args = parse_args()
    url = database_url(args.database)
    clock = Clock()
    print(f"bench_oversight: database {args.database} on {urlsplit(url).hostname}", flush=True)
    recreate_database(url, args.database, keep=args.keep)
    setup_django(url)
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from cadre import roles
    from cadre.models import Candidate, RecordEntry, RecordKind
    from supervision.models import Complaint

    call_command("migrate", verbosity=0, interactive=False)
    clock.step("migrate")
    if args.keep and Candidate.objects.exists():
        measured = Candidate.objects.annotate(n=Count("record")).order_by("-n").first()
        supervisor = User.objects.get(username="bench_supervisor")
        clock.step("reuse existing data")
    else:
        workspace = Namespace(candidates=args.candidates, per_selection=10, big_selection=50, assigned=20, entries=200)
        staff, _big, measured = build_workspace(workspace, clock)
        add_oversight_data(args, staff, clock)
        supervisor = User.objects.create_user(username="bench_supervisor", password="bench-password")
        supervisor.groups.set([Group.objects.get(name=roles.SUPERVISOR)])

    client = Client()
    client.force_login(supervisor)
    base = "/supervision/oversight/"
    pages = [
        ("overview", base),
        ("overview, page 150", f"{base}?page=150"),
        ("overview, stage=inspection", f"{base}?stage=inspection"),
        ("selections", f"{base}selections/"),
        ("important situations", f"{base}important/"),
        ("responsibility", f"{base}responsibility/"),
        ("complaints", f"{base}complaints/"),
        (
            f"candidate ({RecordEntry.objects.filter(candidate=measured).count()} entries)",
            f"{base}candidates/{measured.pk}/",
        ),
    ]
    results = []
    for label, path in pages:
        results.append((f"GET {path} ({label})", bench_page(client, path, args.requests)))
        clock.step(f"{args.requests} × {label}")

    print()
    print(
        f"data: {Candidate.objects.count():,} candidates, {RecordEntry.objects.count():,} record entries "
        f"({RecordEntry.objects.filter(kind=RecordKind.IMPORTANT).count():,} important situations), "
        f"{Complaint.objects.count():,} complaints; {args.requests} requests a page as a supervisor"
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
