"""Thin, idempotent tasks of the notifications (acknowledged late: each may run twice)."""

from celery import shared_task


@shared_task(name="notifications.tasks.send_notification_email")
def send_notification_email(notification_id: int) -> bool:
    from . import services

    return services.send_email(notification_id)


@shared_task(name="notifications.tasks.sweep_unsent_emails")
def sweep_unsent_emails() -> int:
    from . import consumer, services

    return services.sweep_unsent_emails() + consumer.sweep_unsent()


@shared_task(name="notifications.tasks.deliver_webhook", bind=True, max_retries=9)
def deliver_webhook(self, delivery_id: int):
    """POST one webhook delivery; a receiver that fails is retried with a growing delay."""
    from . import webhooks

    result = webhooks.send(delivery_id)
    # Run inline (the demo, no broker) there is nobody to retry later but the beat sweep.
    if result is False and not self.request.is_eager:
        raise self.retry(countdown=webhooks.backoff(self.request.retries + 1).total_seconds())
    return result


@shared_task(name="notifications.tasks.sweep_webhooks")
def sweep_webhooks() -> int:
    from . import webhooks

    return webhooks.sweep()


@shared_task(name="notifications.tasks.send_consumer_email")
def send_consumer_email(mail_id: int) -> bool:
    from . import consumer

    return consumer.send(mail_id)
