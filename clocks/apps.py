from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClocksConfig(AppConfig):
    name = "clocks"
    verbose_name = _("Clocks")

    def ready(self):
        # Subscribes clocks.handlers.on_event to the timeline outbox.
        from django.db.models import F

        from defects import extensions

        from . import handlers  # noqa: F401
        from .services import clocks_json

        extensions.CASE_JSON["clocks"] = clocks_json
        extensions.CASE_ORDERINGS["due"] = [F("next_due_at").asc(nulls_last=True), "id"]
        extensions.CASE_PANELS.append("clocks/_case_clocks.html")
