"""The outbox: background work that is never lost, even when Redis is down.

`enqueue(name, args=…)` writes a `Job` row in the CALLER's transaction and, once that transaction
commits, sends the Celery task `cadre.tasks.run_job(job_id)`. The send tries the broker once with a
short connection timeout and no publish retries; when the broker is unreachable the error is logged,
the row stays pending and the request goes on. A beat task (`cadre.tasks.job_sweep`, every minute)
re-sends pending rows older than a minute, and running rows whose worker died.

A job runs the handler registered under its name (`register`). Stage apps register theirs at import
of their `tasks` module (cadre imports no stage app: the registry finds them through Django's
`autodiscover_modules("tasks")`). `run(job_id)` is idempotent: a done job is skipped, a running one is
skipped unless it started more than STALE_AFTER ago; the handler's writes and the job's `done` commit
in one transaction, so a worker that dies half-way leaves nothing half-done.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import Job

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)  # a running job older than this is taken as abandoned
SWEEP_AFTER = timedelta(minutes=1)
SWEEP_BATCH = 500
MAX_ERROR = 4000
# The send in a request: one connection attempt, bounded; no publish retries.
SEND_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2, "socket_timeout": 5}


class UnknownJob(ValueError):
    pass


@dataclass(frozen=True)
class Handler:
    name: str
    func: Callable
    label: str
    manual: bool  # staff may start it from the jobs page (no arguments)


_HANDLERS: dict[str, Handler] = {}
_discovered = False


def register(name: str, *, label: str, manual: bool = False):
    """Decorator: `func(**args)` runs the job `name`; it returns a JSON value kept as the job's result."""

    def decorate(func):
        if name in _HANDLERS and _HANDLERS[name].func is not func:
            raise ValueError(f"job handler {name!r} registered twice")
        _HANDLERS[name] = Handler(name=name, func=func, label=label, manual=manual)
        return func

    return decorate


def handlers() -> dict[str, Handler]:
    global _discovered
    if not _discovered:
        autodiscover_modules("tasks")  # each app's tasks module registers its handlers
        _discovered = True
    return _HANDLERS


def handler(name: str) -> Handler:
    try:
        return handlers()[name]
    except KeyError as exc:
        raise UnknownJob(f"未登记的后台任务：{name}") from exc


def label(name: str) -> str:
    found = handlers().get(name)
    return found.label if found else name


def _clean_args(args: dict) -> dict:
    """Ids only: ints, short strings, booleans, null, and lists of those."""
    if not isinstance(args, dict):
        raise TypeError("job args must be a dict of ids")

    def ok(value) -> bool:
        if value is None or isinstance(value, bool | int):
            return True
        if isinstance(value, str):
            return len(value) <= 200
        if isinstance(value, list):
            return all(ok(v) and not isinstance(v, list) for v in value)
        return False

    bad = [k for k, v in args.items() if not isinstance(k, str) or not ok(v)]
    if bad:
        raise TypeError(f"job args must be ids (int, short str, bool, None, lists of them): {bad}")
    return args


# ---------------------------------------------------------------------------- writing and sending


def enqueue(name: str, *, args: dict, key: str | None = None, actor: User | None = None) -> Job:
    """Write the job in the caller's transaction; send it when (and only if) that transaction commits.

    With a `key`, a second enqueue of the same key returns the first job and sends nothing."""
    handler(name)
    args = _clean_args(args)
    if key is not None:
        existing = Job.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(name=name, args=args, key=key, created_by=actor)
    except IntegrityError:
        if key is None:
            raise
        return Job.objects.get(key=key)  # a concurrent enqueue of the same key won
    transaction.on_commit(lambda: send(job.pk))
    return job


def retry(job_id: int) -> Job | None:
    """Staff start a failed job again (after fixing what made it fail): it goes back to pending, keeps its
    attempts and last error for the record of what happened, and is sent when the caller's transaction
    commits. A job that is not failed is left alone (None)."""
    job = Job.objects.select_for_update().filter(pk=job_id, status=Job.Status.FAILED).first()
    if job is None:
        return None
    job.status = Job.Status.PENDING
    job.sent_at = job.started_at = job.finished_at = None
    job.save(update_fields=["status", "sent_at", "started_at", "finished_at"])
    transaction.on_commit(lambda: send(job.pk))
    return job


def send(job_id: int) -> bool:
    """Hand the job to the broker. Never raises: on failure the row stays pending for the sweep."""
    from .tasks import run_job  # the task module imports this one

    app = run_job.app
    try:
        if app.conf.task_always_eager:
            _run_here(job_id)
        else:
            with app.connection_for_write(transport_options=SEND_TRANSPORT_OPTIONS) as conn:
                run_job.apply_async((job_id,), connection=conn, retry=False, ignore_result=True)
    except Exception as exc:  # a dead broker must not fail the request: the sweep re-sends
        log.warning("后台任务 %s 未能发送（%s: %s），保留待执行", job_id, type(exc).__name__, exc)
        return False
    Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(sent_at=timezone.now())
    return True


def _run_here(job_id: int) -> None:
    """No broker (make run): run in-process, with the worker's number of retries (no waiting)."""
    from .tasks import JOB_MAX_RETRIES

    for attempt in range(JOB_MAX_RETRIES + 1):
        try:
            run(job_id, final=attempt == JOB_MAX_RETRIES)
            return
        except Exception:  # recorded on the row by run(); try again
            continue


def due_for_resend(*, now=None, older_than: timedelta = SWEEP_AFTER):
    now = now or timezone.now()
    cutoff = now - older_than
    pending = Q(status=Job.Status.PENDING, created_at__lte=cutoff) & (Q(sent_at__isnull=True) | Q(sent_at__lte=cutoff))
    abandoned = Q(status=Job.Status.RUNNING, started_at__lte=now - STALE_AFTER)
    return Job.objects.filter(pending | abandoned).order_by("created_at", "pk")


def sweep(*, older_than: timedelta = SWEEP_AFTER) -> int:
    """Re-send the pending jobs older than `older_than` and the abandoned running ones; how many were sent."""
    ids = list(due_for_resend(older_than=older_than).values_list("pk", flat=True)[:SWEEP_BATCH])
    return sum(send(pk) for pk in ids)


# ---------------------------------------------------------------------------- running


def progress(job: Job, *, done: int, total: int) -> dict:
    """A batch job's progress bar: {"status", "status_label", "done", "total", "percent", "error"}."""
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 100,
        "error": job.last_error if job.status == Job.Status.FAILED else "",
    }


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR]


def run(job_id: int, *, final: bool = True) -> str:
    """Run the job once. Returns "done", "failed", "skipped" (done, failed, or another worker has it)
    or "missing". A failure that is not `final` re-raises after recording it, for the task to retry."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return "missing"
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return "skipped"
        if job.status == Job.Status.RUNNING and job.started_at and job.started_at > now - STALE_AFTER:
            return "skipped"
        job.status = Job.Status.RUNNING
        job.started_at = now
        job.finished_at = None
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "finished_at", "attempts"])
    try:
        func = handler(job.name).func
        with transaction.atomic():
            result = func(**job.args)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.DONE, finished_at=timezone.now(), last_error="", result=result
            )
    except Exception as exc:
        status = Job.Status.FAILED if final else Job.Status.PENDING
        Job.objects.filter(pk=job.pk).update(
            status=status,
            last_error=_error_text(exc),
            finished_at=timezone.now() if final else None,
            sent_at=timezone.now(),  # the retry is on its way: the sweep waits a minute
        )
        if final:
            log.error("后台任务 %s（%s）失败：%s", job.pk, job.name, _error_text(exc))
            return "failed"
        raise
    return "done"
