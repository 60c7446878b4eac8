"""Notifications to staff: one row per recipient and fact, shown in the in-app list and/or e-mailed
as each person chose for that kind."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CASE_ROUTED = "case_routed", _("Case routed to your factory")
    SAMPLE_RECEIVED = "sample_received", _("Sample received")
    REPORT_SUBMITTED = "report_submitted", _("Report submitted for review")
    REPORT_REJECTED = "report_rejected", _("Report sent back")
    REPORT_APPROVED = "report_approved", _("Report approved")
    REPLACEMENT_DELIVERED = "replacement_delivered", _("Replacement delivered")
    CLOCK_WARNING = "clock_warning", _("Clock at 75 %")
    CLOCK_BREACHED = "clock_breached", _("Clock breached")
    FOLLOW_UP_DUE = "follow_up_due", _("Promised follow-up overdue")
    DIGEST = "digest", _("Daily digest")
    # safety/: a critical case to decide within hours, lots to hold, several reports on one lot.
    SAFETY_REVIEW_OPENED = "safety_review_opened", _("Safety review opened")
    RECALL_HOLD = "recall_hold", _("Recall: hold the lots")
    LOT_ALERT_OPENED = "lot_alert_opened", _("Lot alert opened")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    case = models.ForeignKey("defects.DefectCase", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    # Written for its recipient: a factory user's message never holds the consumer's personal data.
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # What makes it the same notification when a task runs twice (e.g. "event:<id>:report_submitted").
    dedupe_key = models.CharField(max_length=120)
    # The recipient's choice when it was made: shown in the list (and counted by the bell) or not.
    in_app = models.BooleanField(default=True)
    wants_email = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "in_app", "-created_at", "-id"], name="notification_list"),
            models.Index(fields=["recipient", "in_app", "read_at"], name="notification_unread"),
        ]

    def __str__(self):
        return f"{self.recipient_id} {self.kind}"


class Preference(models.Model):
    """A person's choice for one kind; without a row the defaults apply (in-app yes, e-mail as
    HITOTSUBU_NOTIFY_EMAIL_DEFAULT)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]


class Webhook(models.Model):
    """An integration that receives the timeline events of the chosen kinds, signed with its secret."""

    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200)
    # Timeline event kinds (defects.models.Event.Kind values) this receiver wants.
    events = models.JSONField(_("event kinds"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event for one webhook: tried until the receiver answers 2xx (with backoff), once delivered
    never sent again. Visible in the admin with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("defects.Event", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="webhook_delivery_once")]


class ConsumerEmail(models.Model):
    """A short update e-mailed to a consumer who asked for them; the contact is its record on the
    timeline. `sent_at` makes the send happen once, even when the task runs twice."""

    contact = models.OneToOneField("defects.Contact", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consumer e-mail")
        verbose_name_plural = _("consumer e-mails")
