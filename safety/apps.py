from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety")

    def ready(self):
        # Subscribes safety.handlers to the timeline outbox; fills severity at intake.
        from defects import extensions

        from . import handlers  # noqa: F401
        from .demo import seed
        from .home import panel
        from .triage import fill_severity

        extensions.CASE_INTAKE.append(fill_severity)
        extensions.CASE_PANELS.append("safety/_case_safety.html")
        extensions.DEMO_STEPS.append(seed)
        if panel not in extensions.HOME_PANELS:
            extensions.HOME_PANELS.append(panel)
