"""The outbox (cadre.outbox): a job commits with its caller or not at all, runs once, retries, fails
visibly, and a dead broker neither hangs nor fails the caller. The real worker: tests/supervision/test_deadlines.py."""

import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery import current_app
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cadre import outbox, roles, tasks
from cadre.models import Job

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
DEAD_BROKER = "redis://127.0.0.1:6399/0"  # nothing listens there

CALLS: list = []


@outbox.register("tests.ok", label="测试任务")
def _ok(value: int = 0) -> dict:
    CALLS.append(value)
    return {"value": value}


@outbox.register("tests.boom", label="总是失败的任务")
def _boom() -> None:
    CALLS.append("boom")
    raise RuntimeError("处理失败：测试")


@outbox.register("tests.flaky", label="第一次失败的任务")
def _flaky() -> str:
    CALLS.append("flaky")
    if CALLS.count("flaky") == 1:
        raise ConnectionError("暂时不可用")
    return "ok"


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


@contextmanager
def celery_conf(**values):
    """Override the Celery app's settings for a while (monkeypatch cannot undo them)."""
    old = {name: current_app.conf[name] for name in values}
    current_app.conf.update(values)
    try:
        yield
    finally:
        current_app.conf.update(old)


@pytest.fixture(autouse=True)
def _worker_like_retries():
    """apply() then retries in place as a worker would re-deliver (Celery propagates Retry otherwise)."""
    with celery_conf(task_eager_propagates=False):
        yield


@pytest.fixture
def sent(monkeypatch):
    """The job ids handed to the broker (nothing is published in these tests)."""
    ids: list[int] = []
    monkeypatch.setattr(outbox, "send", lambda job_id: ids.append(job_id) or True)
    return ids


class Boom(Exception):
    pass


def test_enqueue_in_a_rolled_back_transaction_leaves_no_job_and_sends_nothing(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            outbox.enqueue("tests.ok", args={"value": 1})
            raise Boom
    assert Job.objects.count() == 0
    assert callbacks == [] and sent == []


def test_enqueue_sends_only_after_commit(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            job = outbox.enqueue("tests.ok", args={"value": 1})
            assert sent == []  # not before the caller's transaction commits
    assert sent == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.args == {"value": 1} and job.attempts == 0


def test_same_key_twice_is_one_job_sent_once(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox.enqueue("tests.ok", args={}, key="tests.ok:2026-12-02")
        second = outbox.enqueue("tests.ok", args={}, key="tests.ok:2026-12-02")
    assert first.pk == second.pk and Job.objects.count() == 1 and sent == [first.pk]


def test_args_are_ids_only_and_names_registered(sent):
    with pytest.raises(TypeError):
        outbox.enqueue("tests.ok", args={"when": timezone.now()})
    with pytest.raises(outbox.UnknownJob):
        outbox.enqueue("tests.nobody", args={})
    assert Job.objects.count() == 0


def test_stage_apps_register_their_handlers():
    assert outbox.handlers()["supervision.publicity_close_due"].manual


def test_running_twice_does_nothing_the_second_time(sent):
    job = outbox.enqueue("tests.ok", args={"value": 7})
    assert tasks.run_job.apply(args=(job.pk,)).get() == "done"
    assert tasks.run_job.apply(args=(job.pk,)).get() == "skipped"
    job.refresh_from_db()
    assert CALLS == [7] and job.status == Job.Status.DONE and job.attempts == 1 and job.result == {"value": 7}
    assert job.started_at <= job.finished_at


def test_failing_handler_is_retried_then_failed_with_its_error(sent):
    job = outbox.enqueue("tests.boom", args={})
    tasks.run_job.apply(args=(job.pk,), throw=False)  # as a worker does: retries, then the last attempt
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == tasks.JOB_MAX_RETRIES + 1 == CALLS.count("boom")
    assert "RuntimeError: 处理失败：测试" in job.last_error and job.finished_at


def test_a_retry_that_succeeds_ends_done(sent):
    job = outbox.enqueue("tests.flaky", args={})
    tasks.run_job.apply(args=(job.pk,), throw=False)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.attempts == 2 and job.last_error == ""


def test_running_job_is_skipped_unless_abandoned(sent):
    job = outbox.enqueue("tests.ok", args={})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    assert outbox.run(job.pk) == "skipped" and CALLS == []
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - outbox.STALE_AFTER - timedelta(seconds=1))
    assert [j.pk for j in outbox.due_for_resend()] == [job.pk]
    assert outbox.run(job.pk) == "done" and CALLS == [0]


def test_sweep_resends_pending_jobs_older_than_a_minute(sent):
    old, young, done = (outbox.enqueue("tests.ok", args={}) for _ in range(3))
    sent.clear()
    minute_ago = timezone.now() - timedelta(seconds=61)
    Job.objects.filter(pk__in=[old.pk, done.pk]).update(created_at=minute_ago)
    Job.objects.filter(pk=done.pk).update(status=Job.Status.DONE)
    assert tasks.job_sweep.apply().get() == 1
    assert sent == [old.pk]
    # sent a moment ago: the next sweep waits another minute before sending it again
    Job.objects.filter(pk=old.pk).update(sent_at=timezone.now())
    assert outbox.sweep() == 0
    Job.objects.filter(pk=old.pk).update(sent_at=minute_ago)
    assert outbox.sweep() == 1 and sent == [old.pk, old.pk] and young.pk not in sent


def test_send_to_a_dead_broker_returns_at_once_and_keeps_the_job_pending():
    if current_app.conf.task_always_eager:
        pytest.skip("needs a broker URL (REDIS_URL)")
    job = outbox.enqueue("tests.ok", args={})  # inside the test's transaction: not sent yet
    with celery_conf(broker_url=DEAD_BROKER):
        started = time.monotonic()
        assert outbox.send(job.pk) is False
        seconds = time.monotonic() - started
    print(f"send to a dead broker: {seconds:.3f} s")
    assert seconds < 3
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.sent_at is None and CALLS == []


# ---------------------------------------------------------------------------- the jobs page


def test_jobs_page_lists_jobs_with_labels_for_staff(client, staff, sent, django_assert_max_num_queries):
    for _ in range(5):
        outbox.enqueue("tests.ok", args={"value": 1}, actor=staff)
    failed = outbox.enqueue("tests.boom", args={})
    tasks.run_job.apply(args=(failed.pk,), throw=False)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cadre:jobs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "后台任务" in html and "测试任务" in html and "待执行" in html and "失败" in html
    assert "RuntimeError: 处理失败：测试" in html
    assert 'href="/jobs/"' in html  # in the navigation
    assert "立即执行：公示期满检查" in html
    failed_only = client.get(reverse("cadre:jobs"), {"status": "failed"}).context["jobs"]
    assert [job.pk for job, _label in failed_only] == [failed.pk]


def test_jobs_page_query_count_is_constant(client, staff, sent, django_assert_max_num_queries):
    for _ in range(60):
        outbox.enqueue("tests.ok", args={}, actor=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("cadre:jobs")).status_code == 200


@pytest.mark.parametrize(
    ("role", "sees", "starts"),
    [
        (roles.ORG_STAFF, True, True),
        (roles.ADMIN, True, True),
        (roles.SUPERVISOR, True, False),
        (roles.INSPECTOR, False, False),
        (roles.COMMITTEE_MEMBER, False, False),
    ],
)
def test_jobs_page_roles(client, sent, role, sees, starts, django_capture_on_commit_callbacks):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("cadre:jobs")).status_code == (200 if sees else 404)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cadre:jobs"), {"name": "supervision.publicity_close_due"})
    assert response.status_code == (302 if starts else 404)
    assert Job.objects.filter(name="supervision.publicity_close_due").count() == (1 if starts else 0)
    assert len(sent) == (1 if starts else 0)


def test_jobs_page_refuses_a_job_that_is_not_manual(client, staff, sent):
    client.force_login(staff)
    response = client.post(reverse("cadre:jobs"), {"name": "tests.ok"}, follow=True)
    assert "没有这个可立即执行的后台任务" in response.content.decode()
    assert Job.objects.count() == 0


def test_admin_shows_jobs_read_only_and_the_beat_schedule_in_chinese(client, admin_user, sent):
    job = outbox.enqueue("tests.ok", args={"value": 1})
    client.force_login(admin_user)
    index = client.get("/admin/").content.decode()
    assert "后台任务" in index and "周期任务" in index and "计划任务" in index  # django-celery-beat's zh-hans
    page = client.get(reverse("admin:cadre_job_change", args=[job.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:cadre_job_add")).status_code == 403


def test_without_a_broker_jobs_run_in_process(django_capture_on_commit_callbacks):
    """make run (no REDIS_URL): the send runs the job at commit, retries included."""
    with celery_conf(task_always_eager=True), django_capture_on_commit_callbacks(execute=True):
        ok = outbox.enqueue("tests.ok", args={"value": 3})
        flaky = outbox.enqueue("tests.flaky", args={})
    ok.refresh_from_db()
    flaky.refresh_from_db()
    assert ok.status == flaky.status == Job.Status.DONE and flaky.attempts == 2 and CALLS == [3, "flaky", "flaky"]


def test_a_failed_job_is_started_again_from_the_jobs_page(client, staff, sent, django_capture_on_commit_callbacks):
    failed = outbox.enqueue("tests.boom", args={})
    tasks.run_job.apply(args=(failed.pk,), throw=False)
    done = outbox.enqueue("tests.ok", args={"value": 1})
    outbox.run(done.pk)
    client.force_login(staff)
    page = client.get(reverse("cadre:jobs")).content.decode()
    assert f'name="retry" value="{failed.pk}"' in page and f'name="retry" value="{done.pk}"' not in page
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cadre:jobs"), {"retry": str(failed.pk)}, follow=True)
    assert "已重新提交后台任务" in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Job.Status.PENDING and sent == [failed.pk]
    assert "处理失败" in failed.last_error  # what happened before stays visible
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cadre:jobs"), {"retry": str(done.pk)}, follow=True)
    assert "只有失败的任务可以重新执行" in response.content.decode() and sent == [failed.pk]
    client.force_login(UserFactory(roles=[roles.SUPERVISOR]))  # reads the jobs, starts none
    assert client.post(reverse("cadre:jobs"), {"retry": str(failed.pk)}).status_code == 404
