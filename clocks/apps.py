from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "clocks"
    verbose_name = _("Clocks")

    def ready(self):
        # Subscribes clocks.handlers.on_event to the timeline outbox.
        from . import handlers  # noqa: F401
