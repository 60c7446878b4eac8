"""Safety reviews of critical cases (and the recall register they feed) and lot alerts."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Decision(models.TextChoices):
    RECALL = "recall", _("Recall")
    MONITOR = "monitor", _("Monitor")
    NO_ACTION = "no_action", _("No action")


class RecallClass(models.TextChoices):
    # The classes of the recall notification system (食品衛生申請等システム, since June 2021): the
    # health risk the prefecture is told of.
    CLASS_1 = "class_1", _("Class I: likely serious harm or death")
    CLASS_2 = "class_2", _("Class II: unlikely serious harm")
    CLASS_3 = "class_3", _("Class III: harm almost impossible")


class SafetyReview(models.Model):
    """A QA manager's decision on a critical case, due within two hours (the safety_review clock)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a decision")
        DECIDED = "decided", _("Decided")

    # One review per case: opening twice (a second dispatch, a severity raised again) finds this row.
    case = models.OneToOneField("defects.DefectCase", on_delete=models.PROTECT, related_name="safety_review")
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True, db_index=True)
    rationale = models.TextField(_("rationale"), blank=True)
    recall_class = models.CharField(_("recall class"), max_length=10, choices=RecallClass.choices, blank=True)
    lots = models.JSONField(_("lots"), default=list, blank=True)
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("authority's reference"), max_length=100, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("safety review")
        verbose_name_plural = _("safety reviews")

    def __str__(self):
        return f"{self.case_id} {self.status}"


class LotAlertRule(models.Model):
    """A product's own threshold (without a row: the defaults in safety.lots)."""

    product = models.OneToOneField("factories.Product", verbose_name=_("product"), on_delete=models.CASCADE,
                                   related_name="+")
    threshold = models.PositiveSmallIntegerField(_("reports"), default=3)
    critical_threshold = models.PositiveSmallIntegerField(_("reports when one is critical"), default=2)
    window_days = models.PositiveSmallIntegerField(_("within days"), default=30)

    class Meta:
        verbose_name = _("lot alert rule")
        verbose_name_plural = _("lot alert rules")

    def __str__(self):
        return f"{self.product_id}: {self.threshold}/{self.critical_threshold} in {self.window_days} d"


class LotAlert(models.Model):
    class Status(models.TextChoices):
        # A status, not the verb (the scan page's "Open" button is 開く).
        OPEN = "open", pgettext_lazy("lot alert status", "Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CLOSED = "closed", _("Closed")

    product = models.ForeignKey("factories.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    lot_key = models.CharField(_("lot code"), max_length=64)
    factory = models.ForeignKey("factories.Factory", verbose_name=_("factory"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.OPEN)
    rule = models.CharField(_("rule"), max_length=100)
    cases = models.ManyToManyField("defects.DefectCase", through="LotAlertCase", related_name="+")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("lot alert")
        verbose_name_plural = _("lot alerts")
        constraints = [
            # Two reports arriving at once must not open two alerts for one lot (concurrency-safe).
            models.UniqueConstraint(fields=["product", "lot_key"], condition=~Q(status="closed"),
                                    name="one_live_lot_alert"),
        ]
        indexes = [models.Index(fields=["factory", "-opened_at", "-id"], name="lot_alert_by_factory")]

    def __str__(self):
        return f"{self.product_id} {self.lot_key} {self.status}"

    # The rule is stored as written in the language active when the alert opened (safety.lots.evaluate);
    # pages show it in the reader's language when it has one of the two known shapes.
    RULE_SHAPES = (
        re.compile(r"^(?P<n>\d+) reports in (?P<days>\d+) days(?P<critical>, one critical)?$"),
        re.compile(r"^(?P<days>\d+) 日以内に (?P<n>\d+) 件(?P<critical>（うち重大 1 件以上）)?$"),
    )

    @property
    def rule_label(self) -> str:
        for shape in self.RULE_SHAPES:
            found = shape.match(self.rule or "")
            if found:
                text = (gettext("%(n)s reports in %(days)s days, one critical") if found["critical"]
                        else gettext("%(n)s reports in %(days)s days"))
                return text % {"n": int(found["n"]), "days": int(found["days"])}
        return self.rule


class LotAlertCase(models.Model):
    alert = models.ForeignKey(LotAlert, on_delete=models.CASCADE, related_name="memberships")
    case = models.ForeignKey("defects.DefectCase", on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["alert", "case"], name="lot_alert_case_once")]
