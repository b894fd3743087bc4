"""Celery tasks: thin callers of services, taking ids, safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task

from . import approval_form_batch, outbox, services  # noqa: F401  approval_form_batch registers its job

log = logging.getLogger(__name__)


@shared_task
def record_verify() -> int:
    """Recompute every hash chain and keep the outcome (S1); scheduled nightly by beat."""
    run = services.record_verification_run()
    if not run.ok:
        log.error("全程纪实记录校验发现断裂：%s", run.broken)
    return run.pk


@shared_task(acks_late=True)
def record_checkpoint() -> int:
    """Sign every chain's head (S1); scheduled daily by beat. Twice in a row is two valid checkpoints."""
    return services.record_checkpoint_sign().pk


# ---------------------------------------------------------------------------- the outbox (cadre.outbox)

JOB_MAX_RETRIES = 3


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=False,
    max_retries=JOB_MAX_RETRIES,
)
def run_job(self, job_id: int) -> str:
    """Run one outbox job by id. Safe to run twice: a done job is skipped. A failing handler is
    retried with backoff (2, 4, 8 s); after the last retry the job is marked failed with its error."""
    return outbox.run(job_id, final=self.request.retries >= self.max_retries)


@shared_task(acks_late=True, ignore_result=True)
def job_sweep(older_than_seconds: int = 60) -> int:
    """Beat, every minute: re-send the jobs the broker never got (and those of a worker that died)."""
    return outbox.sweep(older_than=timedelta(seconds=older_than_seconds))
