#!/usr/bin/env python
"""Benchmark of the inspection page of one candidate (issue #11: "render time and queries of the
page for a candidate with 10,000 talk/opinion rows in the DB overall").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_ins .venv/bin/python benchmarks/bench_inspection.py

Creates (drops first) its own database — by default `ganbu_bench_ins` on the server of
DATABASE_URL, whatever database name the URL carries — migrates it, and sets up one competitive
selection with `--candidates` candidates in inspection (one team, one notice); two of them get
everything I1–I9 need through the inspection services (`inspection.demo.prepare_deliberate`).
Then it bulk-creates `--rows` talks and department opinions (half each) spread over the other
candidates, and gives the two measured candidates 20 and `--big` rows of each. Through
django.test.Client, logged in as the assigned staff member, it requests each candidate's page N
times (30 by default) after one warm-up and prints median and p95 server time, the SQL query
count (CaptureQueriesContext, one more request) and the HTML size; then the same for an inline
save (htmx POST of a talk, the part and the checklist back).

No assertion on time: the figures are printed. Options: see --help.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the helpers of the other benchmarks
sys.path.insert(0, str(ROOT))  # tests.factories
from bench_foundation import Clock, database_url, recreate_database, setup_django  # noqa: E402
from bench_workspace import bench_page  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_ins"))
    parser.add_argument("--candidates", type=int, default=200, help="candidates in inspection")
    parser.add_argument("--rows", type=int, default=10_000, help="talks + opinions in the database overall")
    parser.add_argument("--big", type=int, default=500, help="talks and opinions of the second measured candidate")
    parser.add_argument("--requests", type=int, default=30, help="timed requests a page")
    return parser.parse_args()


def build(args, clock):
    from django.db import connection
    from django.utils import timezone

    from cadre import roles
    from cadre import services as cadre_services
    from cadre.models import Candidate, MotionReason, Stage
    from inspection import services
    from inspection.demo import prepare_deliberate
    from inspection.models import DepartmentOpinion, Talk
    from tests.factories import CadreFactory, PositionFactory, UserFactory

    staff = UserFactory(username="bench_staff", roles=[roles.ORG_STAFF])
    position = PositionFactory()
    selection = cadre_services.selection_create(
        actor=staff, title="县财政局副局长选任", reason=MotionReason.VACANCY, positions=[position], competitive=True
    )
    candidates = [
        cadre_services.candidate_create(actor=staff, selection=selection, position=position, cadre=CadreFactory())
        for _ in range(args.candidates)
    ]
    Candidate.objects.filter(selection=selection).update(stage=Stage.INSPECTION, inspected_at=timezone.now())
    clock.step(f"{args.candidates} candidates in inspection")
    today = timezone.localdate()
    services.notice_publish(
        actor=staff,
        selection=selection,
        published_on=today - timedelta(days=5),
        team_text="组长 张承办",
        contact_phone="0000-1234567",
        text="考察预告",
    )
    services.team_create(
        actor=staff,
        selection=selection,
        name="第一考察组",
        leader=staff,
        starts_on=today - timedelta(days=4),
        ends_on=today,
        place="县财政局",
        scope="局领导班子成员、中层干部",
        forum_size=20,
        candidates=Candidate.objects.filter(selection=selection),
    )
    small, big, others = candidates[0], candidates[1], candidates[2:]
    for c in (small, big):
        prepare_deliberate(Candidate.objects.get(pk=c.pk), staff)
    clock.step("notice, team, I1–I9 data of two candidates (services)")

    day = today - timedelta(days=1)

    def rows(candidate, n, tag):
        talks = [
            Talk(
                candidate_id=candidate.pk,
                interviewee=f"谈话对象{tag}{i}",
                category="中层干部",
                talked_on=day,
                summary="反映该同志工作扎实、作风正派，群众基础较好。",
                recorded_by=staff,
            )
            for i in range(n)
        ]
        opinions = [
            DepartmentOpinion(
                candidate_id=candidate.pk,
                department="信访",
                received_on=day,
                opinion=f"未发现影响使用的问题（{tag}{i}）。",
                recorded_by=staff,
            )
            for i in range(n)
        ]
        return talks, opinions

    talks, opinions = [], []
    for c, n in ((small, 20), (big, args.big)):
        t, o = rows(c, n, c.pk)
        talks += t
        opinions += o
    rest = max(args.rows - len(talks) - len(opinions), 0) // 2
    for i in range(rest):
        t, o = rows(others[i % len(others)], 1, i)
        talks += t
        opinions += o
    Talk.objects.bulk_create(talks, batch_size=2000)
    DepartmentOpinion.objects.bulk_create(opinions, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock.step(f"{len(talks):,} talks and {len(opinions):,} opinions, ANALYZE")
    return staff, small, big


def bench_inline_save(client, candidate, n: int) -> dict:
    """An inline save (htmx) of a talk: validation, the service, the part and checklist back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    url = reverse("inspection:inspection", args=[candidate.pk])

    def post(i):
        data = {
            "action": "talk",
            "talk-interviewee": f"新谈话对象{i}",
            "talk-category": "中层干部",
            "talk-talked_on": timezone.localdate().isoformat(),
            "talk-summary": "敢于担当。",
        }
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.content[:300]
        return response

    post(-1)
    samples = []
    for i in range(n):
        started = time.perf_counter()
        post(i)
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as ctx:
        response = post(n)
    samples.sort()
    return {
        "median": statistics.median(samples),
        "p95": samples[max(int(len(samples) * 0.95) - 1, 0)],
        "queries": len(ctx.captured_queries),
        "bytes": len(response.content),
    }


def main():
    args = parse_args()
    url = database_url(args.database)
    clock = Clock()
    print(f"bench_inspection: database {args.database} on {urlsplit(url).hostname}", flush=True)
    recreate_database(url, args.database)
    setup_django(url)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from inspection.models import DepartmentOpinion, Talk

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    call_command("migrate", verbosity=0, interactive=False)
    clock.step("migrate")
    staff, small, big = build(args, clock)

    client = Client()
    client.force_login(staff)
    results = []
    for candidate in (small, big):
        n_talks = Talk.objects.filter(candidate=candidate).count()
        n_opinions = DepartmentOpinion.objects.filter(candidate=candidate).count()
        path = reverse("inspection:inspection", args=[candidate.pk])
        label = f"GET {path} ({n_talks} talks, {n_opinions} opinions)"
        results.append((label, bench_page(client, path, args.requests)))
        clock.step(f"{args.requests} × {label}")
    label = "POST a talk inline (htmx), the part back"
    results.append((label, bench_inline_save(client, small, args.requests)))
    clock.step(f"{args.requests} × {label}")

    print()
    print(
        f"data: {Talk.objects.count():,} talks and {DepartmentOpinion.objects.count():,} opinions in the database; "
        f"{args.requests} requests each as the assigned staff member"
    )
    width = max(len(label) for label, _ in results)
    for label, r in results:
        print(
            f"{label:<{width}}  median {r['median'] * 1000:6.1f} ms, p95 {r['p95'] * 1000:6.1f} ms, "
            f"{r['queries']:3d} SQL queries, {r['bytes']:>9,} bytes"
        )
    print(f"total wall time {clock.total():.0f} s")


if __name__ == "__main__":
    main()
