"""Master data: factories and their lines, products with their plant codes and lot format."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from factories import lots


def validate_lot_format(value: str) -> None:
    """A product's lot format must compile in the factories.lots format language."""
    if not value:
        return
    try:
        # Only the public API: decode_lot compiles the format before it reads the code, so a
        # set-up error surfaces as LotFormatError and anything else means the format is fine.
        lots.decode_lot("0", value, {"0": "-"})
    except lots.LotFormatError as error:
        raise ValidationError(str(error), code="lot_format") from None
    except lots.LotError:
        pass


def normalize_line_code(value: str) -> str:
    """'ｌ３ ' -> 'L3': line codes are compared as decode_lot reads them."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


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


class Line(models.Model):
    """A production line of a factory, as its code is printed in lot codes (the L of a format)."""

    factory = models.ForeignKey(Factory, verbose_name=_("factory"), on_delete=models.CASCADE, related_name="lines")
    code = models.CharField(_("code"), max_length=8, help_text=_("As printed in the lot code, e.g. 3 or A1."))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["factory__code", "code"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        constraints = [models.UniqueConstraint(fields=["factory", "code"], name="unique_line_code_per_factory")]

    def __str__(self):
        return f"{self.factory.code}-{self.code} {self.name}".strip()

    def clean(self):
        self.code = normalize_line_code(self.code)
        if self.code and not self.code.isalnum():
            raise ValidationError({"code": _("A line code is letters and digits, as printed.")})

    def save(self, *args, **kwargs):
        self.code = normalize_line_code(self.code)
        super().save(*args, **kwargs)


class Product(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    jan = models.CharField(_("JAN barcode"), max_length=13, blank=True)
    # Where a product is made in one plant only, new cases go there without lot decoding.
    default_factory = models.ForeignKey(
        Factory, verbose_name=_("default factory"), null=True, blank=True, on_delete=models.PROTECT
    )
    # How the lot code is printed, in the factories.lots format language ('YYMMDD P L').
    lot_format = models.CharField(
        _("lot format"), max_length=64, blank=True, validators=[validate_lot_format],
        help_text=_("e.g. 'YYYY.MM.DD P L' or 'MFG: YYMMDD L #### +P'; see factories.lots for the tokens."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.code} {self.name}"


class PlantCode(models.Model):
    """製造所固有記号: a plant code printed on a product, and the factory it stands for."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE,
                                related_name="plant_codes")
    code = models.CharField(_("plant code"), max_length=lots.MAX_PLANT_CODE_LENGTH + 2)
    factory = models.ForeignKey(Factory, verbose_name=_("factory"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["product__code", "code"]
        verbose_name = _("plant code")
        verbose_name_plural = _("plant codes")
        constraints = [models.UniqueConstraint(fields=["product", "code"], name="unique_plant_code_per_product")]

    def __str__(self):
        return f"{self.code} -> {self.factory_id and self.factory.code}"

    def clean(self):
        try:
            self.code = lots.normalize_plant_code(self.code or "")
        except lots.LotFormatError as error:
            raise ValidationError({"code": str(error)}) from None

    def save(self, *args, **kwargs):
        # Stored normalized ('+ｋｙ' -> 'KY') so that lookups and the uniqueness rule see one spelling.
        self.code = lots.normalize_plant_code(self.code)
        super().save(*args, **kwargs)


class StaffProfile(models.Model):
    """Which factory a factory-QA user belongs to; it bounds every case they may see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    factory = models.ForeignKey(Factory, verbose_name=_("factory"), null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} @ {self.factory or '-'}"
