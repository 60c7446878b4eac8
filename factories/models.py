"""Master data (factories, products) and the factory's work on a case (the investigation)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Factory(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The person who signs the factory's letter to the consumer.
    responsible = models.CharField(_("responsible person"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("factory")
        verbose_name_plural = _("factories")

    def __str__(self):
        return f"{self.code} {self.name}"


class Product(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    jan = models.CharField(_("JAN barcode"), max_length=13, blank=True)
    # Where a product is made in one plant only, new cases go there without lot decoding.
    default_factory = models.ForeignKey(
        Factory, verbose_name=_("default factory"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.code} {self.name}"


class StaffProfile(models.Model):
    """Which factory a factory-QA user belongs to; it bounds every case they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    factory = models.ForeignKey(Factory, verbose_name=_("factory"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} @ {self.factory or '-'}"


class Investigation(models.Model):
    """The factory's root-cause report on one case (a draft until submitted)."""

    case = models.OneToOneField("defects.DefectCase", on_delete=models.CASCADE, related_name="investigation")
    manufacturing_process = models.TextField(_("manufacturing process"), blank=True)
    cause_of_occurrence = models.TextField(_("cause of occurrence"), blank=True)
    cause_of_escape = models.TextField(_("cause of escape"), blank=True)
    prevention = models.TextField(_("prevention measures"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    REQUIRED_FOR_SUBMISSION = ("manufacturing_process", "cause_of_occurrence", "prevention")

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self):
        return f"Investigation {self.case_id}"

    def missing_for_submission(self) -> list[str]:
        """Field names still empty; a report with any of them cannot be submitted."""
        return [name for name in self.REQUIRED_FOR_SUBMISSION if not (getattr(self, name) or "").strip()]
