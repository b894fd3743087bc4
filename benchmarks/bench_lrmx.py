#!/usr/bin/env python
"""Benchmark of the 干部任免审批表 in bulk (issue 9: "a zip with 500 .lrmx files: seconds and peak
memory; export of 500 forms as a zip of PDFs through the Celery worker with a progress bar: forms
per minute").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ganbu_bench_lrmx REDIS_URL=redis://127.0.0.1:6379/4 \
        .venv/bin/python benchmarks/bench_lrmx.py

Creates (drops first) its own database — `ganbu_bench_lrmx` by default — migrates it and writes N
cadres (500) with every part of the form filled (tests/cadre/test_lrmx.py `rich_cadre`: education,
résumé with 其间, rewards, assessments, family). Then it prints:

- export of the N forms as a zip of .lrmx (`approval_form.render_zip`): seconds;
- the zip imported into the emptied database: `lrmx_import.import_preview` and `import_apply`
  (the bulk path, `services.cadre_facts_replace`): seconds and peak Python memory (tracemalloc,
  each in the timed run itself), queries of the apply;
- the N forms as PDFs through a real Celery worker subprocess (`approval_form_batch`, the outbox
  job the page starts): seconds from enqueue to done, forms per minute (skipped without REDIS_URL).

No assertion on time: the figures are printed. Options: --help.
"""

import argparse
import io
import os
import subprocess
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))
from bench_foundation import database_url, recreate_database, setup_django  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("BENCH_DATABASE", "ganbu_bench_lrmx"))
    parser.add_argument("--forms", type=int, default=500)
    parser.add_argument("--no-worker", action="store_true", help="skip the PDFs through the worker")
    return parser.parse_args()


class Upload(io.BytesIO):
    """What a view hands the import: a name, a size, chunks."""

    def __init__(self, name: str, data: bytes):
        super().__init__(data)
        self.name, self.size = name, len(data)

    def chunks(self):
        yield self.getvalue()


def traced(func):
    tracemalloc.start()
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    return result, seconds, peak


def worker_pdfs(url: str, staff, ids: list[int]) -> None:
    from celery import current_app

    from cadre import approval_form_batch
    from cadre.models import Job

    queue = f"ganbu-bench-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "DATABASE_URL": url, "CELERY_QUEUE": queue}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "-l", "warning"],
        cwd=ROOT,
        env=env,
    )
    current_app.conf.task_default_queue = queue
    try:
        time.sleep(5)  # the worker's start, not part of the figure
        started = time.perf_counter()
        job = approval_form_batch.batch_request(actor=staff, kind="cadre", ids=ids)  # sent: autocommit
        last = -1
        while True:
            job.refresh_from_db()
            state = approval_form_batch.progress(job)
            if state["done"] // 100 != last // 100:
                print(f"  progress {state['done']}/{state['total']} ({state['percent']}%)", flush=True)
                last = state["done"]
            if job.status in (Job.Status.DONE, Job.Status.FAILED) or process.poll() is not None:
                break
            time.sleep(1)
        seconds = time.perf_counter() - started
        if job.status != Job.Status.DONE:
            print(f"PDF job did not finish: {job.status} {job.last_error[:500]}")
            return
        path = approval_form_batch.zip_path(job)
        size = path.stat().st_size / 1024 / 1024
        path.unlink()
        forms = job.result["forms"]
        print(
            f"{forms} PDFs through one Celery worker (solo pool): {seconds:.1f} s from enqueue to done = "
            f"{forms / seconds * 60:.0f} forms/min; zip {size:.1f} MB"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    args = parse_args()
    url = database_url(args.database)
    recreate_database(url, args.database)
    redis = os.environ.get("REDIS_URL", "")
    setup_django(url)
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from cadre import approval_form, lrmx_import, roles
    from cadre.models import Cadre, Unit
    from tests.cadre.test_lrmx import rich_cadre

    staff = User.objects.create_user("bench_staff", first_name="组工", last_name="张")
    staff.groups.add(Group.objects.get_or_create(name=roles.ORG_STAFF)[0])
    t0 = time.perf_counter()
    cadres = [rich_cadre(n) for n in range(args.forms)]
    print(f"data: {len(cadres)} cadres with every part of the form ({time.perf_counter() - t0:.1f} s)")

    started = time.perf_counter()
    persons = [approval_form.person_for_cadre(c, user=staff) for c in Cadre.objects.order_by("pk")]
    data = approval_form.render_zip(persons, "lrmx")
    print(f"export: zip of {len(persons)} .lrmx in {time.perf_counter() - started:.1f} s ({len(data) / 1024:.0f} KB)")

    unit = Unit.objects.create(name="导入单位")
    Cadre.objects.all().delete()

    def preview():
        return lrmx_import.import_preview(actor=staff, upload=Upload("forms.zip", data), unit_id=unit.pk)

    # Timed runs without tracemalloc (it slows Python down several times); memory in separate runs.
    started = time.perf_counter()
    first = preview()
    seconds = time.perf_counter() - started
    assert first["ok"], [r["errors"] for r in first["rows"] if r["errors"]][:3]
    second, _seconds, peak = traced(preview)
    print(f"preview: {len(first['rows'])} forms in {seconds:.1f} s, peak Python memory {peak:.0f} MB")
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = lrmx_import.import_apply(actor=staff, token=first["token"])
        seconds = time.perf_counter() - started
    Cadre.objects.all().delete()
    _result, _seconds, peak = traced(lambda: lrmx_import.import_apply(actor=staff, token=second["token"]))
    print(
        f"apply: {len(result['created'])} cadres created in {seconds:.1f} s, peak Python memory {peak:.0f} MB, "
        f"{len(queries)} queries ({len(queries) / max(len(result['created']), 1):.0f} per form)"
    )

    if args.no_worker or not redis.startswith("redis"):
        print("PDFs through the worker: skipped (needs REDIS_URL)")
        return
    worker_pdfs(url, staff, list(Cadre.objects.order_by("pk").values_list("pk", flat=True)))


if __name__ == "__main__":
    main()
