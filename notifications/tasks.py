"""Thin, idempotent tasks of the notifications (acknowledged late: each may run twice)."""

from celery import shared_task


@shared_task(name="notifications.tasks.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    from . import services

    return services.send_email(notification_id)


@shared_task(name="notifications.tasks.sweep_unsent_emails")
def sweep_unsent_emails() -> int:
    from . import services

    return services.sweep_unsent_emails()
