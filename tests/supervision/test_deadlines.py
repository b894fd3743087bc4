"""Closing ended publicity periods (supervision.deadline_services), the dashboard reminders, and the
real parts: a Celery worker against Redis and the test database closes a period, a second run
changes nothing, and a job written while the broker is unreachable is not lost."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from cadre import outbox, tasks
from cadre.models import Job, RecordEntry, RecordKind, Stage
from cadre.record import record_append
from supervision import deadline_services, reminders, rules, services
from supervision.demo import DEMO_CHANNELS
from supervision.models import Complaint
from supervision.tasks import PUBLICITY_CLOSE_DUE
from supervision.workdays import is_workday

from ..factories import CadreFactory, PositionFactory
from .test_publicity import ctx

ROOT = Path(__file__).resolve().parents[2]
DEAD_BROKER = "redis://127.0.0.1:6399/0"  # nothing listens there
STARTS = date(2025, 9, 29)  # five working days: 09-29, 09-30, 10-09, 10-10 and Saturday 10-11 (调休)
ENDS = date(2025, 10, 11)


def facts(candidate, fact):
    return RecordEntry.objects.filter(candidate=candidate, kind=RecordKind.FACT, payload__fact=fact)


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def published(staff, publicizing):
    services.publicity_start(actor=staff, candidate_id=publicizing.pk, starts_on=STARTS, **DEMO_CHANNELS)
    return publicizing


def complaint(candidate, staff, **fields):
    return Complaint.objects.create(
        candidate=candidate, received_on=ENDS, channel="phone", text="反映其有违规问题", created_by=staff, **fields
    )


# ---------------------------------------------------------------------------- boundaries


@pytest.mark.django_db
def test_last_day_of_publicity_is_not_closed(published):
    assert published.publicities.get().ends_on == ENDS
    assert deadline_services.publicity_close_due(today=ENDS) == {"closed": 0, "flagged": 0, "unchanged": 0}
    assert not facts(published, "publicity_closed").exists()


@pytest.mark.django_db
def test_next_working_day_closes_once(published):
    monday = next_workday(ENDS)
    assert monday == date(2025, 10, 13)
    assert deadline_services.publicity_close_due(today=monday) == {"closed": 1, "flagged": 0, "unchanged": 0}
    entry = facts(published, "publicity_closed").get()
    assert entry.payload["label"] == "公示期满，无未办结的举报"
    assert entry.payload["ends_on"] == "2025-10-11" and entry.actor is None and entry.actor_name == "system"
    count = RecordEntry.objects.count()
    # twice changes nothing
    assert deadline_services.publicity_close_due(today=monday) == {"closed": 0, "flagged": 0, "unchanged": 0}
    assert RecordEntry.objects.count() == count
    # nobody is appointed: appointment needs a document number (A2) and a talk (A1)
    published.refresh_from_db()
    assert published.stage == Stage.PUBLICITY


@pytest.mark.django_db
def test_the_day_after_the_end_is_over_for_p1_too(published):
    """The closing agrees with P1 (over once today > ends_on), even on a Sunday."""
    sunday = ENDS + timedelta(days=1)
    assert not rules.publicity_period(published, ctx(today=sunday)).problems
    assert deadline_services.publicity_close_due(today=sunday)["closed"] == 1


@pytest.mark.django_db
def test_an_open_complaint_flags_instead_of_closing(published, staff):
    open_one = complaint(published, staff)
    monday = next_workday(ENDS)
    assert deadline_services.publicity_close_due(today=monday) == {"closed": 0, "flagged": 1, "unchanged": 0}
    assert not facts(published, "publicity_closed").exists()
    flag = facts(published, "publicity_overdue_complaint").get()
    assert flag.payload["complaints_open"] == [open_one.pk] and "未办结" in flag.payload["label"]
    # flagged once
    deadline_services.publicity_close_due(today=monday)
    assert facts(published, "publicity_overdue_complaint").count() == 1
    # the dashboard shows it to the staff, computed from the data
    labels = [t["label"] for t in reminders.reminder_tasks(user=staff, today=monday)]
    assert any("举报未办结" in label and published.cadre.name in label for label in labels)
    # concluded, not substantiated: the next run closes the period
    Complaint.objects.filter(pk=open_one.pk).update(status="concluded", conclusion="不属实", concluded_on=monday)
    assert deadline_services.publicity_close_due(today=monday)["closed"] == 1


@pytest.mark.django_db
def test_a_substantiated_complaint_is_flagged_not_closed(published, staff):
    complaint(published, staff, status="concluded", substantiated=True, conclusion="属实", concluded_on=ENDS)
    assert deadline_services.publicity_close_due(today=next_workday(ENDS))["flagged"] == 1
    assert not facts(published, "publicity_closed").exists()
    assert "属实" in facts(published, "publicity_overdue_complaint").get().payload["label"]


@pytest.mark.django_db
def test_a_suspended_candidate_is_left_alone(published, staff):
    from cadre import services as cadre_services

    cadre_services.candidate_transition(
        actor=staff, candidate_id=published.pk, transition="suspend", reason="收到举报，暂缓任用"
    )
    assert deadline_services.publicity_close_due(today=next_workday(ENDS))["closed"] == 0


@pytest.mark.django_db
def test_p1_reads_the_stored_end_not_the_fact(published):
    """Deadlines are data: even a `publicity_closed` entry written early does not end the period."""
    with transaction.atomic():
        record_append(candidate=published, actor=None, kind=RecordKind.FACT, payload={"fact": "publicity_closed"})
    assert "尚未期满" in " ".join(rules.publicity_period(published, ctx(today=ENDS)).problems)


@pytest.mark.django_db
def test_the_job_handler_closes_through_the_outbox(published):
    job = outbox.enqueue(PUBLICITY_CLOSE_DUE, args={})
    assert outbox.run(job.pk) == "done"
    job.refresh_from_db()
    assert job.result == {"closed": 1, "flagged": 0, "unchanged": 0}
    assert facts(published, "publicity_closed").count() == 1


@pytest.mark.django_db
def test_beat_task_writes_one_job_a_day(published, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(outbox, "send", lambda job_id: True)
    from supervision import tasks as supervision_tasks

    first = supervision_tasks.publicity_close_due.apply().get()
    second = supervision_tasks.publicity_close_due.apply().get()
    assert first == second and Job.objects.filter(name=PUBLICITY_CLOSE_DUE).count() == 1
    assert Job.objects.get().key == f"{PUBLICITY_CLOSE_DUE}:{timezone.localdate().isoformat()}"


# ---------------------------------------------------------------------------- reminders (dashboard)


@pytest.mark.django_db
def test_dashboard_lists_an_ended_publicity_ready_for_appointment(client, staff, published):
    client.force_login(staff)
    tasks_ = client.get("/").context["tasks"]
    ready = [t for t in tasks_ if t.get("kind") == "publicity_ended"]
    assert len(ready) == 1 and "可办理任职" in ready[0]["label"]
    assert ready[0]["url"] == reverse("supervision:appointment", args=[published.pk])


@pytest.mark.django_db
def test_rotation_reminders_follow_c1(staff):
    today = date(2026, 12, 2)
    key_post = PositionFactory(is_key_post=True, quota=5)
    plain = PositionFactory(quota=5)
    young, long_ago = date(1980, 1, 1), date(2010, 1, 1)
    CadreFactory(name="关键五年", position=key_post, position_since=date(2021, 12, 1), birth_date=young, gender="M")
    CadreFactory(name="关键四年", position=key_post, position_since=date(2023, 1, 1), birth_date=young, gender="M")
    CadreFactory(name="普通八年", position=plain, position_since=date(2018, 12, 1), birth_date=young, gender="F")
    CadreFactory(name="普通十年", position=plain, position_since=date(2016, 12, 1), birth_date=young, gender="M")
    CadreFactory(name="普通七年", position=plain, position_since=date(2020, 1, 1), birth_date=young, gender="M")
    CadreFactory(name="男五十八", position=plain, position_since=long_ago, birth_date=date(1968, 1, 1), gender="M")
    CadreFactory(name="女五十三", position=plain, position_since=long_ago, birth_date=date(1973, 1, 1), gender="F")
    CadreFactory(name="女五十二", position=plain, position_since=long_ago, birth_date=date(1974, 6, 1), gender="F")
    due = {c.name: (years, must) for c, years, must in reminders.rotation_due(today=today)}
    assert due == {
        "关键五年": (5, True),
        "普通八年": (8, False),
        "普通十年": (10, True),
        "女五十二": (16, True),
    }
    labels = [t["label"] for t in reminders.reminder_tasks(user=staff, today=today) if t["kind"] == "rotation"]
    assert any("普通八年" in label and "应交流" in label for label in labels)
    assert reminders.digest(today=today)["rotation_must"] == 3


@pytest.mark.django_db
def test_reminders_query_count_is_constant(staff, django_assert_max_num_queries):
    plain = PositionFactory(quota=100)
    for _ in range(30):
        CadreFactory(position=plain, position_since=date(2010, 1, 1), birth_date=date(1985, 1, 1), gender="M")
        CadreFactory(position=plain, position_since=date(2010, 1, 1), birth_date=date(1960, 1, 1), gender="M")  # 到龄
    with django_assert_max_num_queries(5):  # ended publicities, the C1 thresholds, rotations, 到龄
        assert len(reminders.reminder_tasks(user=staff)) == 2 * reminders.ROTATION_LIMIT


# ---------------------------------------------------------------------------- the real parts

REAL = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis") or connection.vendor != "postgresql",
    reason="needs REDIS_URL and PostgreSQL (CI sets both)",
)


@contextmanager
def celery_conf(**values):
    old = {name: current_app.conf[name] for name in values}
    current_app.conf.update(values)
    try:
        yield
    finally:
        current_app.conf.update(old)


@contextmanager
def worker(queue: str):
    """A real Celery worker on its own queue, against REDIS_URL and this test's database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": queue,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        with celery_conf(task_default_queue=queue):
            yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_done(job_id, process, timeout=60) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode(errors="replace"))
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {Job.objects.get(pk=job_id).status} after {timeout} s")


@REAL
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_closes_publicity_and_nothing_is_lost_when_redis_is_down(client, staff, published):
    client.force_login(staff)
    with worker(f"ganbu-test-{uuid.uuid4().hex[:12]}") as process:
        # 1. The broker is unreachable: the request answers at once, the job stays pending.
        with celery_conf(broker_url=DEAD_BROKER):
            started = time.monotonic()
            response = client.post(reverse("cadre:jobs"), {"name": PUBLICITY_CLOSE_DUE})
            seconds = time.monotonic() - started
        print(f"\nPOST /jobs/ with the broker down answered in {seconds:.3f} s")
        assert response.status_code == 302 and seconds < 3
        lost = Job.objects.get()
        assert lost.status == Job.Status.PENDING and lost.sent_at is None and lost.created_by == staff
        assert not facts(published, "publicity_closed").exists()

        # 2. The broker is back: the sweep (beat's task, run by the worker) re-sends it; the worker closes.
        tasks.job_sweep.apply_async(kwargs={"older_than_seconds": 0})
        lost = wait_done(lost.pk, process)
        assert lost.status == Job.Status.DONE and lost.attempts == 1, lost.last_error
        assert lost.result == {"closed": 1, "flagged": 0, "unchanged": 0}
        assert facts(published, "publicity_closed").count() == 1
        entries = RecordEntry.objects.count()

        # 3. Sent at once this time; a second run changes nothing.
        with transaction.atomic():
            again = outbox.enqueue(PUBLICITY_CLOSE_DUE, args={}, actor=staff)
        again = wait_done(again.pk, process)
        assert again.status == Job.Status.DONE and again.result == {"closed": 0, "flagged": 0, "unchanged": 0}
        assert RecordEntry.objects.count() == entries and facts(published, "publicity_closed").count() == 1
    assert not Job.objects.exclude(status=Job.Status.DONE).exists()  # nothing lost


@pytest.mark.django_db
def test_retirement_reminders_six_months_ahead_under_the_2025_reform(staff):
    """C1 到龄: holders whose 到龄年月 (computed, never typed) is at most six months ahead or past."""
    today = date(2026, 12, 2)  # six months ahead: up to 2027-06
    post = PositionFactory(quota=9)
    for name, born, gender in [
        ("已到龄", date(1966, 3, 5), "M"),  # 2026.07, 60岁4个月
        ("到龄六月", date(1966, 12, 5), "M"),  # 2027.06: the last month of the window
        ("到龄八月", date(1967, 1, 5), "M"),  # 2027.08: outside
        ("女干部", date(1971, 10, 5), "F"),  # 2027.04, 55岁6个月
        ("女干部晚", date(1972, 6, 5), "F"),  # 2028.02: outside
    ]:
        CadreFactory(name=name, position=post, birth_date=born, gender=gender)
    CadreFactory(name="无职务", birth_date=date(1960, 1, 1), gender="M")  # holds no post
    due = [(c.name, r.dotted) for c, r in reminders.retirement_due(today=today)]
    assert due == [("已到龄", "2026.07"), ("女干部", "2027.04"), ("到龄六月", "2027.06")]
    labels = [t["label"] for t in reminders.reminder_tasks(user=staff, today=today) if t["kind"] == "retirement"]
    assert any("女干部" in label and "2027.04 到龄（55岁6个月）" in label for label in labels)
    assert reminders.digest(today=today)["retirement_due"] == 3
