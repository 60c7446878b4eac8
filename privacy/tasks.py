from celery import shared_task

from . import erasure


@shared_task
def expire_personal_data() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): erase what the retention period no longer allows us to keep.
    Idempotent: erased cases are skipped, so a redelivered or doubled run does nothing twice."""
    return len(erasure.expire())
