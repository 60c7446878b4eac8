from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Subscribes notifications.handlers.on_event to the timeline outbox.
        from . import consumer, handlers, webhooks  # noqa: F401
