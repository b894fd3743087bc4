#!/usr/bin/env python
"""Benchmark of the archive PDFs (A4, issue 8: "seconds and peak memory per archive PDF for a candidate
with 200 record entries, against WeasyPrint rendering a plain page of the same size in the same run;
archives per minute with one worker").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_ar .venv/bin/python benchmarks/bench_archive.py

Creates (drops first) its own database — `ganbu_bench_ar` by default, on the server of DATABASE_URL —
migrates it and writes, through `cadre.record.record_append` (real hash chains), N candidates (10 by
default) with 200 record entries each, shaped like the services' entries (transitions with their rules
and thresholds, facts of every stage, important situations, complaints). Then it prints:

- one archive (`supervision.archive.archive_candidate`: render, store, record): seconds (median of
  the runs, each after one more entry so the head moved) and peak Python memory (tracemalloc, a
  separate run), and the process's peak RSS;
- WeasyPrint alone on a plain document of the same size (the archive's text, as paragraphs, same
  number of characters), in the same process: seconds and peak memory;
- archives per minute with one worker: the job function run sequentially over the N candidates.

No assertion on time: the figures are printed. Options: --help.
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_foundation import database_url, recreate_database, rules_payload, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_ar"))
    parser.add_argument("--candidates", type=int, default=10, help="candidates archived for the throughput")
    parser.add_argument("--entries", type=int, default=200, help="record entries per candidate")
    parser.add_argument("--runs", type=int, default=5, help="timed single-archive runs")
    return parser.parse_args()


STAGES = ["motion", "nomination", "recommendation", "inspection", "deliberation", "decision", "publicity"]
TRANSITIONS = ["nominate", "recommend", "inspect", "deliberate", "decide", "publicize"]


def payloads(i: int, staff_name: str) -> tuple[str, dict]:
    """The i-th entry of a chain: a cycle of the kinds and facts the services write."""
    stage = i % 6
    shapes = [
        ("transition", rules_payload(TRANSITIONS[stage], STAGES[stage], STAGES[stage + 1])),
        (
            "fact",
            {
                "fact": "recommendation",
                "label": "民主推荐结果",
                "rule": "R1",
                "meeting": i,
                "unit": 1,
                "unit_name": "县财政局",
                "kind": "meeting",
                "kind_label": "会议推荐",
                "held_on": "2026-03-01",
                "entitled": 40,
                "present": 36,
                "votes": 30,
                "rank": 1,
                "entered_by": staff_name,
                "confirmed_by": "second",
            },
        ),
        (
            "fact",
            {
                "fact": "decision_result",
                "label": "讨论决定票决结果",
                "meeting": i,
                "meeting_title": "县委常委会会议",
                "held_on": "2026-04-01",
                "entitled": 11,
                "present": 11,
                "approve": 9,
                "disapprove": 1,
                "abstain": 1,
                "recused": 0,
                "passed": True,
                "negative_concentrated": False,
                "fewer_than_half": False,
                "thresholds": {"V1.quorum": "2/3", "V3.pass_share": "1/2", "V6.negative_share": "1/3"},
            },
        ),
        (
            "important",
            {
                "category": "complaint",
                "category_label": "收到举报",
                "text": f"第 {i} 件：收到群众来信反映<工作作风>问题，已转纪检部门了解核实，" * 2,
                "outcome": "经了解，反映问题不属实。",
            },
        ),
        (
            "fact",
            {
                "fact": "consultation",
                "label": "酝酿（书记碰头会）",
                "consultation": i,
                "level": "secretaries_meeting",
                "held_on": "2026-03-20",
                "participants": "县委书记、县委副书记、组织部长、纪委书记",
                "opinions": "一致同意提交常委会讨论决定。" * 3,
                "disagreement": False,
            },
        ),
        (
            "fact",
            {
                "fact": "complaint_concluded",
                "label": "举报办结",
                "complaint": i,
                "outcome": "unsubstantiated",
                "outcome_label": "不属实",
                "substantiated": False,
                "conclusion": "经调查核实，反映的问题不属实，不影响任用。",
            },
        ),
    ]
    return shapes[i % len(shapes)]


def build(args):
    from django.contrib.auth.models import User
    from django.db import transaction

    from cadre.models import Cadre, Candidate, Position, RecordKind, Selection, Unit
    from cadre.record import record_append

    staff = User.objects.create_user("bench_staff", first_name="张", last_name="组工")
    unit = Unit.objects.create(name="县财政局")
    selection = Selection.objects.create(title="县财政局副局长选任", reason="vacancy", created_by=staff)
    ids = []
    for n in range(args.candidates + 1):
        position = Position.objects.create(unit=unit, title=f"副局长{n}", level="section_deputy", quota=1)
        selection.positions.add(position)
        cadre = Cadre.objects.create(
            name=f"李明{n}",
            gender="M",
            education="bachelor",
            birth_date="1985-05-01",
            work_start_date="2007-08-01",
            party_date="2008-07-01",
            hometown="某县",
            unit=unit,
        )
        candidate = Candidate.objects.create(selection=selection, position=position, cadre=cadre)
        with transaction.atomic():
            record_append(
                candidate=candidate,
                actor=staff,
                kind=RecordKind.CREATED,
                payload={
                    "selection": selection.pk,
                    "selection_title": selection.title,
                    "motion_reason": "vacancy",
                    "position": position.pk,
                    "position_title": str(position),
                    "cadre": cadre.pk,
                    "cadre_name": cadre.name,
                },
            )
            for i in range(1, args.entries):
                kind, payload = payloads(i, staff.username)
                record_append(candidate=candidate, actor=staff, kind=kind, payload=payload)
        ids.append(candidate.pk)
    return staff, ids


def plain_html(text: str) -> str:
    """A plain document with the same characters: paragraphs, no tables, the same font."""
    from django.utils.html import escape

    paragraphs = [text[i : i + 400] for i in range(0, len(text), 400)]
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        '<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><style>@page { size: A4; margin: 2cm }'
        'body { font-family: "WenQuanYi Micro Hei"; font-size: 9.5pt; line-height: 1.5 }</style></head>'
        f"<body>{body}</body></html>"
    )


def measure(func):
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def peak_memory(func) -> float:
    """Peak Python allocation (MiB) during one call (tracemalloc; a separate, slower run)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main():
    args = parse_args()
    url = database_url(args.database)
    recreate_database(url, args.database)
    os.environ.pop("REDIS_URL", None)
    setup_django(url)
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its INFO lines: one per page

    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    staff, ids = build(args)
    print(f"data: {len(ids)} candidates × {args.entries} record entries ({time.perf_counter() - t0:.1f} s)")

    from django.template.loader import render_to_string
    from weasyprint import HTML

    from cadre.models import Candidate, RecordKind
    from cadre.record import record_append
    from supervision import archive
    from supervision.models import RecordArchive

    subject, rest = ids[0], ids[1:]

    def touch(pk):  # one more entry: the head moves, so the next archive is a new one
        with transaction.atomic():
            candidate = Candidate.objects.get(pk=pk)
            record_append(candidate=candidate, actor=staff, kind=RecordKind.IMPORTANT, payload={"text": "补充"})

    archive.archive_candidate(candidate_id=subject)  # warm-up: fonts, templates
    seconds = []
    for _ in range(args.runs):
        touch(subject)
        took, result = measure(lambda: archive.archive_candidate(candidate_id=subject))
        assert result["created"]
        seconds.append(took)
    touch(subject)
    archive_peak = peak_memory(lambda: archive.archive_candidate(candidate_id=subject))
    latest = RecordArchive.objects.filter(candidate_id=subject).order_by("-head_seq").first()
    entries = list(Candidate.objects.get(pk=subject).record.order_by("seq"))
    context_html = render_to_string(
        "supervision/archive_pdf.html",
        archive.archive_context(Candidate.objects.get(pk=subject), entries, checkpoint=None),
    )
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    parser = Text()
    parser.feed(context_html.split("<body>", 1)[1])
    text = "".join(parser.parts)
    plain = plain_html(text)
    plain_seconds = []
    for _ in range(args.runs):
        took, document = measure(lambda: HTML(string=plain).render())
        took2, _pdf = measure(document.write_pdf)
        plain_seconds.append(took + took2)
    plain_pages = len(HTML(string=plain).render().pages)
    plain_peak = peak_memory(lambda: HTML(string=plain).write_pdf())
    pages = next(
        e.payload["pages"]
        for e in Candidate.objects.get(pk=subject).record.filter(payload__fact="archive_pdf").order_by("-seq")
    )

    started = time.perf_counter()
    for pk in rest:
        archive.archive_candidate(candidate_id=pk)  # the job's function, one worker, in turn
    elapsed = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(
        f"archive PDF ({args.entries} entries, {pages} pages, {latest.size / 1024:.0f} KiB): "
        f"median {statistics.median(seconds):.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}, "
        f"{args.runs} runs), peak Python memory {archive_peak:.1f} MiB"
    )
    print(
        f"plain WeasyPrint page, same text ({len(text):,} characters, {plain_pages} pages): "
        f"median {statistics.median(plain_seconds):.2f} s, peak Python memory {plain_peak:.1f} MiB"
    )
    print(f"archive / plain: {statistics.median(seconds) / statistics.median(plain_seconds):.1f}×")
    print(
        f"one worker, sequential: {len(rest)} archives in {elapsed:.1f} s = {len(rest) / elapsed * 60:.1f} archives/min"
    )
    print(f"process peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
