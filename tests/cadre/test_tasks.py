"""The nightly record check runs on a real Celery worker against Redis and PostgreSQL."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from cadre import outbox, tasks
from cadre.models import RecordCheckpoint, RecordEntry, RecordVerification
from cadre.record import verify

from ..conftest import advance

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_checkpoint_task_is_scheduled_daily(candidate):
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"cadre.tasks.record_verify", "cadre.tasks.record_checkpoint"} <= schedule
    pk = tasks.record_checkpoint.apply().get()
    assert verify().checkpoint["id"] == pk


@pytest.mark.django_db
def test_record_verify_task_stores_the_outcome(candidate, staff):
    advance(candidate, staff, "nominate")
    pk = tasks.record_verify.apply().get()
    run = RecordVerification.objects.get(pk=pk)
    assert run.ok and run.entries >= 2 and run.broken == []


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis") or connection.vendor != "postgresql",
    reason="needs REDIS_URL and PostgreSQL (CI sets both)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_record_verify_runs_on_a_real_worker(candidate, staff):
    advance(candidate, staff, "nominate")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1", "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        pk = tasks.record_verify.delay().get(timeout=60)
        checkpoint_pk = tasks.record_checkpoint.delay().get(timeout=60)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    run = RecordVerification.objects.get(pk=pk)
    assert run.ok and run.entries >= 2
    # signed by the worker with the key outside the database; this process verifies it
    signed = RecordCheckpoint.objects.get(pk=checkpoint_pk)
    assert signed.chains == 1 and signed.entries == RecordEntry.objects.count()
    result = verify()
    assert result.ok and result.checkpoint["id"] == checkpoint_pk and result.checkpoint["ok"]


def test_beat_reads_its_schedule_from_the_database_and_loads_the_settings_entries():
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "cadre.tasks.job_sweep",
        "supervision.tasks.publicity_close_due",
        "supervision.tasks.reminders_digest",
    } <= schedule
    outbox.handlers()  # imports every app's tasks module, as the worker's autodiscovery does
    registered = set(tasks.run_job.app.tasks)
    assert schedule <= registered | {"celery.backend_cleanup"}
