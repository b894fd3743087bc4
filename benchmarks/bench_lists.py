#!/usr/bin/env python
"""Benchmark of every list (API and HTML) at 1,000, 10,000 and 100,000 candidates (issue #10).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_lists .venv/bin/python benchmarks/bench_lists.py

Creates (drops first) its own database — `ganbu_bench_lists` by default (`--database NAME` or
`BENCH_DATABASE`), on the server of DATABASE_URL — migrates it, and grows it size by size
(`--sizes 1000,10000,100000`): for each size it adds what is missing (selections of ten candidates
for one post each, one cadre per candidate in 100 units, a confirmed recommendation meeting per
selection held 0–400 days ago with one result per candidate) with bulk_create, runs ANALYZE, then
requests every list `--requests` times (30) after one warm-up, through django.test.Client, and
prints a table: endpoint × size with p50 and p95 server time, the raw-SQL floor (one hand-written
SELECT of the same page's rows and columns, run through the same connection, p95 of as many runs),
the ratio p95 / floor p95, and the SQL queries of one request (CaptureQueriesContext).

The measured users: `bench_staff`, an organization staff member assigned to 20 selections (the
dashboard, their selections), and `bench_supervisor`, who reads everything (the big lists).

`--keep` keeps the database between runs: the data already there is reused and only what a size
lacks is added. Finishes in a few minutes on 2 cores.
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
from bench_foundation import Clock, database_url, percentiles, recreate_database, setup_django  # noqa: E402

PER_SELECTION = 10
UNITS = 100
ASSIGNED = 20
RECORD_ENTRIES = 200


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_lists"))
    parser.add_argument("--sizes", default="1000,10000,100000", help="candidate counts, ascending, comma-separated")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per list and size")
    parser.add_argument("--only", default="", help="measure only the lists whose name contains this")
    parser.add_argument("--keep", action="store_true", help="reuse the database and its data (skip drop/create)")
    args = parser.parse_args()
    args.sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    return args


# ---------------------------------------------------------------------------- data


def users():
    from django.contrib.auth.models import Group, User

    from cadre import roles

    made = {}
    for name, role in (
        ("bench_staff", roles.ORG_STAFF),
        ("bench_second", roles.ORG_STAFF),  # confirms the recommendations (double entry, R1)
        ("bench_supervisor", roles.SUPERVISOR),
    ):
        user, created = User.objects.get_or_create(username=name)
        if created:
            user.set_password("bench-password")
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        made[name] = user
    return made["bench_staff"], made["bench_second"], made["bench_supervisor"]


def grow(size: int, staff, second, clock):
    """Add selections (ten candidates each) until there are `size` candidates."""
    from django.db import connection, transaction
    from django.utils import timezone
    from guardian.shortcuts import assign_perm

    from cadre import roles
    from cadre.models import Cadre, Candidate, Level, MotionReason, Position, Selection, Stage, Unit
    from nomination.models import RecommendationMeeting, RecommendationResult

    have = Candidate.objects.count()
    if have > size:
        print(f"  (kept database has {have:,} candidates: the {size:,} column measures {have:,})", flush=True)
    if have >= size:
        return
    rng = random.Random(size)
    stages = [Stage.MOTION, Stage.NOMINATION] + [Stage.RECOMMENDATION] * 3 + [Stage.INSPECTION] * 2
    stages += [Stage.DELIBERATION, Stage.DECISION, Stage.APPOINTED]
    n_selections = (size - have) // PER_SELECTION
    today = timezone.localdate()
    with transaction.atomic():
        units = list(Unit.objects.order_by("id")[:UNITS])
        if not units:
            county = Unit.objects.create(name="某县委")
            units = Unit.objects.bulk_create(Unit(name=f"单位{i:03d}", parent=county) for i in range(UNITS))
        first = Selection.objects.count()
        selections = Selection.objects.bulk_create(
            (
                Selection(title=f"选任{first + i}", reason=MotionReason.VACANCY, competitive=True, created_by=staff)
                for i in range(n_selections)
            ),
            batch_size=5000,
        )
        positions = Position.objects.bulk_create(
            (
                Position(unit=units[(first + i) % UNITS], title=f"副局长{first + i}", level=Level.SECTION_DEPUTY)
                for i in range(n_selections)
            ),
            batch_size=5000,
        )
        Selection.positions.through.objects.bulk_create(
            (Selection.positions.through(selection=s, position=p) for s, p in zip(selections, positions, strict=True)),
            batch_size=5000,
        )
        cadres = Cadre.objects.bulk_create(
            (
                Cadre(
                    name=f"干部{have + i}",
                    gender=rng.choice("MF"),
                    education=rng.choice(["associate", "bachelor", "bachelor", "master"]),
                    birth_date=date(1970, 1, 1) + timedelta(days=rng.randrange(9000)),
                    work_start_date=date(1998, 8, 1),
                    unit=units[rng.randrange(UNITS)],
                    personal_report_status="checked",
                )
                for i in range(n_selections * PER_SELECTION)
            ),
            batch_size=5000,
        )
        candidates = Candidate.objects.bulk_create(
            (
                Candidate(
                    selection=selections[i // PER_SELECTION],
                    position=positions[i // PER_SELECTION],
                    cadre=cadre,
                    stage=rng.choice(stages),
                )
                for i, cadre in enumerate(cadres)
            ),
            batch_size=5000,
        )
        meetings = RecommendationMeeting.objects.bulk_create(
            (
                RecommendationMeeting(
                    selection=s,
                    unit=p.unit,
                    held_on=today - timedelta(days=rng.randrange(400)),
                    entitled=40,
                    present=36,
                    entered_by=staff,
                    confirmed_by=second,
                    confirmed_at=timezone.now(),
                )
                for s, p in zip(selections, positions, strict=True)
            ),
            batch_size=5000,
        )
        RecommendationResult.objects.bulk_create(
            (
                RecommendationResult(meeting=meetings[i // PER_SELECTION], cadre=c.cadre, votes=15 + i % 20, rank=1)
                for i, c in enumerate(candidates)
            ),
            batch_size=5000,
        )
        if first == 0:
            assign_perm(
                roles.WORK_ON_SELECTION, staff, Selection.objects.filter(pk__in=[s.pk for s in selections[:ASSIGNED]])
            )
            long_record(candidates[0], staff)
    clock.step(f"grow to {size:,} candidates")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    clock.step("ANALYZE")


def long_record(candidate, staff):
    """The measured record: one candidate with RECORD_ENTRIES hash-chained entries and its head."""
    from django.utils import timezone

    from cadre.models import RecordEntry, RecordHead, RecordKind
    from cadre.record import GENESIS, canonical, entry_hash

    prev, rows = GENESIS, []
    start = timezone.now() - timedelta(days=30)
    for seq in range(1, RECORD_ENTRIES + 1):
        kind = RecordKind.CREATED if seq == 1 else RecordKind.FACT
        payload = {"fact": "个别谈话", "text": f"谈话记录第 {seq} 条：群众评价较好，工作实绩突出。"}
        at = start + timedelta(minutes=seq)
        fields = dict(candidate_id=candidate.pk, seq=seq, at=at, actor_id=staff.pk, actor_name=staff.username)
        digest = entry_hash(prev, canonical(**fields, kind=kind, payload=payload))
        rows.append(RecordEntry(**fields, kind=kind, payload=payload, prev_hash=prev, hash=digest))
        prev = digest
    RecordEntry.objects.bulk_create(rows)
    RecordHead.objects.create(candidate_id=candidate.pk, seq=RECORD_ENTRIES, hash=prev)


# ---------------------------------------------------------------------------- lists and their floors

# The floor of a list: one hand-written SELECT of the same page (its rows, its columns, its order),
# the best single statement — the page's ids first in a subquery, then the joins for those rows.
CANDIDATE_COLUMNS = (
    "c.id, c.selection_id, c.position_id, c.cadre_id, cd.name, p.title, u.name, c.stage, c.stage_changed_at"
)
CANDIDATE_FLOOR = (
    f"SELECT {CANDIDATE_COLUMNS} FROM (SELECT id FROM cadre_candidate {{where}} ORDER BY id LIMIT 50 OFFSET %s) page "
    "JOIN cadre_candidate c ON c.id = page.id JOIN cadre_cadre cd ON cd.id = c.cadre_id "
    "JOIN cadre_position p ON p.id = c.position_id JOIN cadre_unit u ON u.id = p.unit_id ORDER BY c.id"
)
# The keyset floor: the page after a given id (what a `next` link's `after=` reads).
CANDIDATE_KEYSET_FLOOR = CANDIDATE_FLOOR.replace(
    "{where} ORDER BY id LIMIT 50 OFFSET %s", "WHERE id > %s ORDER BY id LIMIT 50"
)
CADRE_KEYSET_FLOOR = (
    "SELECT cd.*, u.name, p.title FROM (SELECT id FROM cadre_cadre WHERE id > %s ORDER BY id LIMIT 50) page "
    "JOIN cadre_cadre cd ON cd.id = page.id JOIN cadre_unit u ON u.id = cd.unit_id "
    "LEFT JOIN cadre_position p ON p.id = cd.position_id ORDER BY cd.id"
)
CADRE_FLOOR = (
    "SELECT cd.*, u.name, p.title FROM (SELECT id FROM cadre_cadre ORDER BY id LIMIT 50 OFFSET %s) page "
    "JOIN cadre_cadre cd ON cd.id = page.id JOIN cadre_unit u ON u.id = cd.unit_id "
    "LEFT JOIN cadre_position p ON p.id = cd.position_id ORDER BY cd.id"
)
SELECTION_FLOOR = (
    "SELECT s.id, s.title, s.reason, s.reason_text, s.competitive, s.single_candidate_reason, s.superior_approval, "
    "s.created_at, array_agg(sp.position_id ORDER BY sp.id) FROM (SELECT id FROM cadre_selection ORDER BY id DESC "
    "LIMIT 50 OFFSET %s) page JOIN cadre_selection s ON s.id = page.id "
    "LEFT JOIN cadre_selection_positions sp ON sp.selection_id = s.id GROUP BY s.id ORDER BY s.id DESC"
)
SELECTION_PAGE_FLOOR = (
    "SELECT s.id, s.title, s.reason, s.competitive, s.created_at, "
    "(SELECT count(*) FROM cadre_candidate c WHERE c.selection_id = s.id), "
    "(SELECT count(*) FROM cadre_candidate c WHERE c.selection_id = s.id AND c.stage = ANY(%s)), "
    "(SELECT string_agg(u.name || p.title, '、') FROM cadre_selection_positions sp JOIN cadre_position p "
    "ON p.id = sp.position_id JOIN cadre_unit u ON u.id = p.unit_id WHERE sp.selection_id = s.id) "
    "FROM (SELECT id FROM cadre_selection ORDER BY id DESC LIMIT 50 OFFSET %s) page "
    "JOIN cadre_selection s ON s.id = page.id ORDER BY s.id DESC"
)
ROSTER_FLOOR = (
    "SELECT cd.id, cd.name, cd.gender, cd.birth_date, cd.education, u.name, p.title FROM cadre_cadre cd "
    "JOIN cadre_unit u ON u.id = cd.unit_id LEFT JOIN cadre_position p ON p.id = cd.position_id "
    "ORDER BY u.name, cd.name, cd.id LIMIT 50 OFFSET %s"
)
RECORD_FLOOR = (
    "SELECT seq, at, actor_id, actor_name, kind, payload, prev_hash, hash FROM cadre_recordentry "
    "WHERE candidate_id = %s ORDER BY seq LIMIT 50"
)
MEETINGS_FLOOR = (
    "SELECT m.*, r.cadre_id, r.votes, r.rank FROM nomination_recommendationmeeting m "
    "LEFT JOIN nomination_recommendationresult r ON r.meeting_id = m.id WHERE m.selection_id = %s ORDER BY m.id"
)
SELECTION_CANDIDATES_FLOOR = (
    f"SELECT {CANDIDATE_COLUMNS} FROM cadre_candidate c JOIN cadre_cadre cd ON cd.id = c.cadre_id "
    "JOIN cadre_position p ON p.id = c.position_id JOIN cadre_unit u ON u.id = p.unit_id "
    "WHERE c.selection_id = %s ORDER BY c.position_id, c.stage, c.id"
)
# The dashboard's R2 deadlines (nomination.selectors.upcoming_deadlines) as one statement: the
# candidates not yet inspected of the user's selections whose last confirmed recommendation expires
# within the horizon.
R2_FLOOR = (
    "SELECT c.id, cd.name, p.title, max(m.held_on) FROM cadre_candidate c JOIN cadre_cadre cd ON cd.id = c.cadre_id "
    "JOIN cadre_position p ON p.id = c.position_id JOIN nomination_recommendationresult r ON r.cadre_id = c.cadre_id "
    "JOIN nomination_recommendationmeeting m ON m.id = r.meeting_id AND m.selection_id = c.selection_id "
    "AND m.confirmed_by_id IS NOT NULL WHERE c.stage IN ('motion', 'nomination', 'recommendation') {where} "
    "GROUP BY c.id, cd.name, p.title HAVING max(m.held_on) BETWEEN %s AND %s"
)


def lists(size: int, staff, supervisor):
    """(name, user, path, params, floor SQL, floor params) of every list measured at this size."""
    from django.utils import timezone

    from cadre.models import OPEN_STAGES, Cadre, Candidate, Selection, Stage
    from cadre.thresholds import snapshot
    from nomination.selectors import DEADLINE_HORIZON_DAYS

    last = (size - 1) // 50 * 50  # the offset of the last page
    n_selections = Selection.objects.count()
    n_inspection = Candidate.objects.filter(stage=Stage.INSPECTION).count()
    mine = Selection.objects.order_by("id").first()
    measured = Candidate.objects.filter(record__seq=RECORD_ENTRIES).get()
    deep_stage = (n_inspection - 1) // 50 * 50
    today, valid = timezone.localdate(), snapshot()["R2.valid_days"]
    window = (today - timedelta(days=valid), today + timedelta(days=DEADLINE_HORIZON_DAYS - valid))
    assigned = list(Selection.objects.order_by("id").values_list("pk", flat=True)[:ASSIGNED])
    stage_where = "WHERE stage = 'inspection'"
    open_stages = [str(s) for s in OPEN_STAGES]
    return [
        ("API candidates p1", supervisor, "/api/v1/candidates/", {}, CANDIDATE_FLOOR.format(where=""), [0]),
        (
            "API candidates last page",
            supervisor,
            "/api/v1/candidates/",
            {"page": last // 50 + 1},
            CANDIDATE_FLOOR.format(where=""),
            [last],
        ),
        (
            "API candidates last page, next link",
            supervisor,
            "/api/v1/candidates/",
            {"page": last // 50 + 1, "after": after_id(Candidate, last)},
            CANDIDATE_KEYSET_FLOOR,
            [after_id(Candidate, last)],
        ),
        (
            "API candidates stage, last page",
            supervisor,
            "/api/v1/candidates/",
            {"stage": "inspection", "page": deep_stage // 50 + 1},
            CANDIDATE_FLOOR.format(where=stage_where),
            [deep_stage],
        ),
        (
            "API candidates selection=",
            supervisor,
            "/api/v1/candidates/",
            {"selection": mine.pk},
            CANDIDATE_FLOOR.format(where=f"WHERE selection_id = {mine.pk}"),
            [0],
        ),
        (
            "API candidates (staff) p1",
            staff,
            "/api/v1/candidates/",
            {},
            CANDIDATE_FLOOR.format(where=f"WHERE selection_id IN ({','.join(map(str, assigned))})"),
            [0],
        ),
        ("API cadres p1", supervisor, "/api/v1/cadres/", {}, CADRE_FLOOR, [0]),
        ("API cadres last page", supervisor, "/api/v1/cadres/", {"page": last // 50 + 1}, CADRE_FLOOR, [last]),
        (
            "API cadres last page, next link",
            supervisor,
            "/api/v1/cadres/",
            {"page": last // 50 + 1, "after": after_id(Cadre, last)},
            CADRE_KEYSET_FLOOR,
            [after_id(Cadre, last)],
        ),
        ("API selections p1", supervisor, "/api/v1/selections/", {}, SELECTION_FLOOR, [0]),
        (
            "API selections last page",
            supervisor,
            "/api/v1/selections/",
            {"page": (n_selections - 1) // 50 + 1},
            SELECTION_FLOOR,
            [(n_selections - 1) // 50 * 50],
        ),
        (
            "API record (200 entries) p1",
            supervisor,
            f"/api/v1/candidates/{measured.pk}/record/",
            {},
            RECORD_FLOOR,
            [measured.pk],
        ),
        (
            "API recommendation meetings",
            supervisor,
            f"/api/v1/selections/{mine.pk}/recommendation-meetings/",
            {},
            MEETINGS_FLOOR,
            [mine.pk],
        ),
        ("API agenda items", supervisor, f"/api/v1/selections/{mine.pk}/agenda-items/", {}, None, None),
        ("HTML /selections/", supervisor, "/selections/", {}, SELECTION_PAGE_FLOOR, [open_stages, 0]),
        (
            "HTML /selections/ last page",
            supervisor,
            "/selections/",
            {"page": (n_selections - 1) // 50 + 1},
            SELECTION_PAGE_FLOOR,
            [open_stages, (n_selections - 1) // 50 * 50],
        ),
        (
            "HTML /selections/<pk>/ (10)",
            staff,
            f"/selections/{mine.pk}/",
            {},
            SELECTION_CANDIDATES_FLOOR,
            [mine.pk],
        ),
        ("HTML /cadres/ p1", supervisor, "/cadres/", {}, ROSTER_FLOOR, [0]),
        ("HTML /cadres/ last page", supervisor, "/cadres/", {"page": last // 50 + 1}, ROSTER_FLOOR, [last]),
        (
            "R2 deadlines (staff)",
            staff,
            None,
            {},
            R2_FLOOR.format(where=f"AND c.selection_id IN ({','.join(map(str, assigned))})"),
            list(window),
        ),
        ("R2 deadlines (supervisor)", supervisor, None, {}, R2_FLOOR.format(where=""), list(window)),
        ("HTML / dashboard (staff)", staff, "/", {}, None, None),
    ]


def after_id(model, offset: int) -> int:
    """The id of the row just before `offset`: what the `next` link of the page before carries."""
    return model.objects.order_by("id").values_list("id", flat=True)[max(offset, 1) - 1]


def timed(call, n: int) -> list[float]:
    call()  # warm-up
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def measure(name, user, path, params, floor_sql, floor_params, requests: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from nomination.selectors import upcoming_deadlines

    if path is None:  # a selector, not a page: the dashboard's R2 deadlines

        def call():
            fresh = User.objects.get(pk=user.pk)  # as a request would: no permission cache
            return upcoming_deadlines(user=fresh)

    else:
        client = Client()
        client.force_login(user)

        def call():
            response = client.get(path, params)
            assert response.status_code == 200, (path, params, response.status_code, response.content[:300])
            return response

    samples = timed(call, requests)
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    rows = len(result) if path is None else None
    floor = None
    if floor_sql is not None:

        def floor_call():
            with connection.cursor() as cursor:
                cursor.execute(floor_sql, floor_params)
                return cursor.fetchall()

        floor = percentiles(timed(floor_call, requests))[1]
    p50, p95 = percentiles(samples)
    return {"name": name, "p50": p50, "p95": p95, "floor": floor, "queries": len(ctx.captured_queries), "rows": rows}


def main():
    args = parse_args()
    url = database_url(args.database)
    clock = Clock()
    print(f"bench_lists: database {args.database} on {urlsplit(url).hostname}, sizes {args.sizes}", flush=True)
    recreate_database(url, args.database, keep=args.keep)
    setup_django(url)
    import logging

    from django.core.management import call_command

    logging.getLogger("axes").setLevel(logging.WARNING)  # one "successful login" line per client otherwise
    call_command("migrate", verbosity=0, interactive=False)
    clock.step("migrate")
    staff, second, supervisor = users()
    results: dict[int, list[dict]] = {}
    for size in args.sizes:
        grow(size, staff, second, clock)
        results[size] = [
            measure(*spec, requests=args.requests)
            for spec in lists(size, staff, supervisor)
            if args.only.lower() in spec[0].lower()
        ]
        clock.step(f"measure at {size:,}")

    print()
    print(
        f"p95 (p50) ms of {args.requests} requests after a warm-up; "
        "floor: p95 of the hand-written SELECT; q: SQL queries"
    )
    names = [r["name"] for r in results[args.sizes[0]]]
    header = f"{'list':<34}" + "".join(f" | {size:>7,} p95 (p50)  floor  ratio  q" for size in args.sizes)
    print(header)
    print("-" * len(header))
    for i, name in enumerate(names):
        line = f"{name:<34}"
        for size in args.sizes:
            r = results[size][i]
            floor = f"{r['floor'] * 1000:6.2f}" if r["floor"] is not None else "     —"
            ratio = f"{r['p95'] / r['floor']:5.1f}×" if r["floor"] else "     —"
            line += f" | {r['p95'] * 1000:7.1f} ({r['p50'] * 1000:5.1f}) {floor} {ratio} {r['queries']:2d}"
        print(line)
    for size in args.sizes:
        for r in results[size]:
            if r["rows"] is not None:
                print(f"  {r['name']} at {size:,}: {r['rows']} deadlines")
    print(f"total wall time {clock.total():.0f} s")


if __name__ == "__main__":
    main()
