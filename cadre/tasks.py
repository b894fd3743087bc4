"""Celery tasks: thin callers of services, taking ids, safe to run twice."""

import logging

from celery import shared_task

from . import services

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
