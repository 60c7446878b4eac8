"""Who looked at a consumer's personal data, and which cases' personal data has been erased."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defects.models import Consumer


class Access(models.TextChoices):
    CASE_PAGE = "case_page", _("Case page")
    CASE_API = "case_api", _("Case (API)")
    CASE_LIST = "case_list", _("Case list or search")
    CONSUMER_API = "consumer_api", _("Consumer details (API)")
    CONSUMER_FORM = "consumer_form", _("Consumer details form")
    TIMELINE = "timeline", _("Timeline with address changes")
    CONTACTS = "contacts", _("Contacts with the consumer")
    PARCEL_MATCH = "parcel_match", _("Parcel match")
    REDIRECTS = "redirects", _("Redirect requests")
    LETTER_PDF = "letter_pdf", _("Letter PDF")
    BATCH_PDF = "batch_pdf", _("Print batch PDF")
    PRINT_ROOM = "print_room", _("Print room list")
    ADMIN = "admin", _("Admin")
    EXPORT = "export", _("Personal data export (APPI)")
    ERASURE = "erasure", _("Personal data erased")


class PersonalDataAccess(models.Model):
    """One person shown one case's personal data once. Written in bulk (one INSERT per request), read
    by admins only; never changed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True,
                             on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    case = models.ForeignKey("defects.DefectCase", verbose_name=_("case"), on_delete=models.PROTECT,
                             related_name="+")
    what = models.CharField(_("what"), max_length=20, choices=Access.choices)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        # The admin's question is "who looked at this case", newest first.
        indexes = [models.Index(fields=["case", "-at", "-id"], name="privacy_access_case_at")]

    def __str__(self):
        return f"{self.case_id} {self.what} {self.at:%Y-%m-%d %H:%M}"


class Erasure(models.Model):
    """A case whose consumer's personal data was erased (retention or the consumer's request).
    One row per case: the expiry run skips what is done, so it is idempotent and O(what is due)."""

    class Reason(models.TextChoices):
        RETENTION = "retention", _("Retention period over")
        REQUEST = "request", _("The consumer's request")

    case = models.OneToOneField("defects.DefectCase", verbose_name=_("case"), on_delete=models.PROTECT,
                                related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    letters_deleted = models.PositiveIntegerField(_("letter PDFs deleted"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data erasure")
        verbose_name_plural = _("personal data erasures")

    def __str__(self):
        return f"{self.case_id} {self.reason} {self.at:%Y-%m-%d}"


class ConsumerRecord(Consumer):
    """The Consumer as the admin serves an APPI request on it (export, erase): a proxy, no table."""

    class Meta:
        proxy = True
        verbose_name = _("consumer (personal data request)")
        verbose_name_plural = _("consumers (personal data requests)")
