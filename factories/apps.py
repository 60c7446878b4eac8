from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FactoriesConfig(AppConfig):
    name = "factories"
    verbose_name = _("Factories")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import masterdata
        from .models import Factory, Line, PlantCode, Product

        # An edit in this process is seen at once (other processes: within the snapshot's seconds).
        for model in (Factory, Line, PlantCode, Product):
            post_save.connect(masterdata.forget, sender=model, dispatch_uid=f"masterdata-save-{model.__name__}")
            post_delete.connect(masterdata.forget, sender=model, dispatch_uid=f"masterdata-delete-{model.__name__}")
