"""Celery tasks of the case: thin wrappers that fetch and call a service.

Acknowledged late (CELERY_TASK_ACKS_LATE): a worker that dies mid-task leaves the message on the
queue, so every task here must be safe to run twice.
"""

import logging

from celery import shared_task

from . import followups

logger = logging.getLogger(__name__)


@shared_task(name="defects.tasks.sweep_overdue_follow_ups")
def sweep_overdue_follow_ups() -> int:
    """Put every overdue, undone follow-up on its case's timeline, once. Returns how many were flagged."""
    written = followups.flag_overdue_follow_ups()
    if written:
        logger.info("Flagged %d overdue follow-up(s).", len(written))
    return len(written)


@shared_task(name="defects.tasks.sweep_overdue_returns")
def sweep_overdue_returns() -> int:
    """Put every return parcel that is late on its case's timeline, once. Returns how many were flagged."""
    written = followups.flag_overdue_returns()
    if written:
        logger.info("Flagged %d overdue return parcel(s).", len(written))
    return len(written)


@shared_task(name="defects.tasks.dispatch")
def dispatch(event_id: int) -> bool:
    """Run the outbox handlers of one timeline event (defects.outbox); safe to run twice."""
    from . import outbox

    return outbox.dispatch(event_id)


@shared_task(name="defects.tasks.redispatch_undelivered")
def redispatch_undelivered() -> int:
    """Dispatch events whose handlers have not all run: the broker was down, or a handler failed."""
    from . import outbox

    tried = outbox.redispatch_undelivered()
    if tried:
        logger.info("Redispatched %d timeline event(s).", tried)
    return tried
