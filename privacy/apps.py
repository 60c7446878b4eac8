from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        # defects calls these hooks; it never imports privacy (see defects/personal_data.py).
        from defects import personal_data

        from . import access, masking

        personal_data.register_masker(masking.mask_for_case)
        personal_data.register_finder(masking.find)
        personal_data.register_access_listener(access.record)
