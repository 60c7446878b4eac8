"""Beat tasks of the clocks: thin, idempotent."""

from celery import shared_task


@shared_task(name="clocks.tasks.sweep_clocks")
def sweep_clocks() -> list[int]:
    from . import escalation

    return list(escalation.sweep())


@shared_task(name="clocks.tasks.daily_digest")
def daily_digest() -> int:
    from . import digest

    return digest.send_digests()
