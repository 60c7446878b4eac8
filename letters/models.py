"""Letters to the consumer and the print batches that put them on paper.

A letter row exists before anything is rendered, so nothing is lost when a broker or a renderer
is down: a periodic task renders whatever is still waiting.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FIRST_NOTICE_POSTCARD = "first_notice_postcard", _("First-notice postcard")
    RETURN_KIT = "return_kit", _("Return kit")
    APOLOGY_LETTER = "apology_letter", _("Apology letter")
    PACKING_SLIP = "packing_slip", _("Packing slip")


class Letter(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to render")
        HELD = "held", _("Held by the letter check")
        READY = "ready", _("Ready to print")
        BATCHED = "batched", _("In a print batch")
        PRINTED = "printed", _("Printed")
        MAILED = "mailed", _("Mailed")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey("defects.DefectCase", on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    language = models.CharField(_("language"), max_length=2, default="ja")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What the last render said, so that a reprint shows exactly what was checked.
    context = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(_("problems found by the letter check"), default=list, blank=True)
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    # The revision the stored PDF shows; an older one is rendered again before anyone sees it.
    pdf_revision = models.PositiveIntegerField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # Bumped whenever the letter must be rendered again (e.g. the address changed).
    revision = models.PositiveIntegerField(default=1)
    # The revision the letter check last passed or held; a batch checks a newer one before printing it.
    checked_revision = models.PositiveIntegerField(null=True, blank=True)
    batch = models.ForeignKey("PrintBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="letters")
    printed_at = models.DateTimeField(null=True, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    needs_reprint = models.BooleanField(_("needs reprint"), default=False)
    reprint_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        # The print room reads the few letters flagged for reprint among millions mailed.
        indexes = [models.Index(fields=["id"], condition=models.Q(needs_reprint=True), name="letter_needs_reprint")]
        constraints = [
            # One live letter of each kind per case; a cancelled one may be replaced.
            models.UniqueConstraint(fields=["case", "kind"], condition=~models.Q(status="cancelled"),
                                    name="one_live_letter_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.case_id}"

    @property
    def pdf_is_current(self) -> bool:
        return bool(self.pdf) and self.pdf_revision == self.revision


class PrintBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    count = models.PositiveIntegerField(_("letters"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="batches/%Y/%m/", blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    mailed_at = models.DateTimeField(null=True, blank=True)
    # Bumped when a letter in the batch changes (reprint, address change): a render that started on
    # an older revision is void and the batch renders again. rendered_revision is what the PDF shows.
    revision = models.PositiveIntegerField(default=1)
    rendered_revision = models.PositiveIntegerField(null=True, blank=True)
    # The render that holds the batch: its token, and a lease it renews as chunks finish. A render
    # whose lease ran out (worker killed, connection lost) is presumed dead; the sweep queues it again.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # When the batch last went to the broker; still queued long after, the message never arrived.
    queued_at = models.DateTimeField(default=timezone.now)
    # Renders lost since the last retry by a person; too many and the batch fails visibly.
    interruptions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        indexes = [models.Index(fields=["status", "lease_expires_at"], name="printbatch_status_lease"),
                   models.Index(fields=["status", "queued_at"], name="printbatch_status_queued")]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} ({self.count})"

    def stuck_since(self, now=None):
        """When a queued or rendering batch stopped moving (no worker took it, or its render's lease
        ran out), or None while it moves or is done. The sweep repairs these; a person may retry."""
        from .leases import lease_seconds

        now = now or timezone.now()
        if self.status == self.Status.RENDERING and self.lease_expires_at and self.lease_expires_at < now:
            return self.lease_expires_at
        if self.status == self.Status.QUEUED and self.queued_at and \
                self.queued_at < now - datetime.timedelta(seconds=lease_seconds()):
            return self.queued_at
        return None

    @property
    def is_stuck(self) -> bool:
        return self.stuck_since() is not None
