"""Thin, idempotent tasks: fetch by id, call a service. acks_late comes from settings, so a task
whose worker dies is delivered again, and running twice is harmless."""

from celery import shared_task

from . import services


@shared_task
def render_letter(letter_id: int) -> str:
    letter = services.render_letter(letter_id)
    return letter.status if letter else "missing"


@shared_task
def render_letter_pdf(letter_id: int) -> bool:
    return bool(services.render_letter_pdf(letter_id).pdf)


@shared_task
def render_batch(batch_id: int) -> str:
    return services.render_batch(batch_id).status


@shared_task
def sweep_unrendered_letters() -> int:
    return services.sweep_unrendered()


@shared_task
def sweep_print_batches() -> dict:
    return services.sweep_batches()
