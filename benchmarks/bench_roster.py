#!/usr/bin/env python
"""Benchmark of the 干部名册 import (issue 9: "Import of a 5,000-row roster: seconds and peak memory").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_roster .venv/bin/python benchmarks/bench_roster.py

Creates (drops first) its own database (`ganbu_bench_roster` by default), migrates it, creates one unit and
an org staff member, writes an .xlsx of N rows (5,000 by default) in the template's columns with openpyxl,
then times, each with tracemalloc's peak: reading it into the preview (`cadre.roster.preview_save`, every
row checked and matched, nothing written) and applying it (`cadre.roster.apply`: one transaction, every
row through `cadre_create`). Then the same file once more: every row is matched and unchanged. Prints the
figures; asserts only that the counts are right.
"""

import argparse
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_foundation import database_url, recreate_database, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_roster"))
    parser.add_argument("--rows", type=int, default=5000)
    return parser.parse_args()


def measured(label, call):
    tracemalloc.start()
    started = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<44} {seconds:7.2f} s, peak Python memory {peak / 2**20:6.1f} MiB", flush=True)
    return result


def roster_file(rows: int, unit_name: str) -> bytes:
    from openpyxl import Workbook

    from cadre import roster

    book = Workbook(write_only=True)
    sheet = book.create_sheet("干部名册")
    sheet.append([c.header for c in roster.COLUMNS])
    for i in range(rows):
        born = 1965 + i % 30
        sheet.append(
            [
                f"名册{i:05d}",
                "男" if i % 3 else "女",
                "汉族",
                f"{born}.{1 + i % 12:02d}",
                "",
                "某县",
                "某县",
                "某县",
                "大学本科",
                "",
                f"{born + 22}.08",
                unit_name,
                "健康",
                "",
                "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main():
    args = parse_args()
    url = database_url(args.database)
    recreate_database(url, args.database)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from cadre import roles, roster
    from cadre.models import Cadre, Unit
    from cadre.services import user_create

    unit = Unit.objects.create(name="县财政局")
    staff = user_create(username="bench_staff", password=None, role_names=[roles.ORG_STAFF])
    data = roster_file(args.rows, unit.name)
    print(f"roster: {args.rows:,} rows, {len(data) / 1024:.0f} KiB of .xlsx", flush=True)
    token, rows = measured(
        "preview (read, check, match; nothing written)", lambda: roster.preview_save(actor=staff, data=data)
    )
    assert len(rows) == args.rows and all(r.action == "create" for r in rows)
    done = measured("apply (one transaction, cadre_create each)", lambda: roster.apply(actor=staff, token=token))
    assert done == {"created": args.rows, "updated": 0, "skipped": 0} and Cadre.objects.count() == args.rows
    token, rows = measured("preview again (every row matched)", lambda: roster.preview_save(actor=staff, data=data))
    assert all(r.action == "same" for r in rows)


if __name__ == "__main__":
    main()
