"""Supervision's background work: closing ended publicity periods (P1, P2) and reminders (R2, A2, C1).

Beat only makes things happen on time: each beat task writes an outbox job (cadre.outbox) with a
key of the day, so a second beat the same day, or a beat delivered twice, adds nothing; the job runs
on a worker (`cadre.tasks.run_job`), retried with backoff, and staff see it on /jobs/. The handlers
below take ids only (here: none) and are safe to run twice.
"""

from celery import shared_task
from django.utils import timezone

from cadre import outbox

from . import archive, deadline_services, reminders

PUBLICITY_CLOSE_DUE = "supervision.publicity_close_due"
REMINDERS_DIGEST = "supervision.reminders_digest"


@outbox.register(PUBLICITY_CLOSE_DUE, label="公示期满检查（P1、P2）", manual=True)
def _publicity_close_due() -> dict:
    return deadline_services.publicity_close_due()


@outbox.register(REMINDERS_DIGEST, label="到期提醒汇总（R2、A2、C1）", manual=True)
def _reminders_digest() -> dict:
    return reminders.digest()


@outbox.register(archive.ARCHIVE_JOB, label="全程记实表归档")
def _archive_record(*, candidate: int, actor: int | None = None) -> dict:
    return archive.archive_candidate(candidate_id=candidate, actor_id=actor)


@outbox.register(archive.BATCH_JOB, label="批量归档全程记实表")
def _archive_batch(*, selections: list, actor: int | None = None, batch: str = "", **scope) -> dict:
    return archive.archive_batch(selections=selections, actor=actor, batch=batch, **scope)


@shared_task(acks_late=True, ignore_result=True)
def publicity_close_due() -> int:
    """Beat, hourly: today's publicity check (one job a day, by its key)."""
    today = timezone.localdate()
    return outbox.enqueue(PUBLICITY_CLOSE_DUE, args={}, key=f"{PUBLICITY_CLOSE_DUE}:{today.isoformat()}").pk


@shared_task(acks_late=True, ignore_result=True)
def reminders_digest() -> int:
    """Beat, daily: count what the reminders list holds (the dashboard computes the list itself)."""
    today = timezone.localdate()
    return outbox.enqueue(REMINDERS_DIGEST, args={}, key=f"{REMINDERS_DIGEST}:{today.isoformat()}").pk
