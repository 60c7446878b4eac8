"""The people around a case: the consumer (personal data, one home), the history of their address,
and every contact with them, with the promises made in it. Import from `defects.models`."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import search
from .case import DefectCase


class Language(models.TextChoices):
    JA = "ja", _("Japanese")
    EN = "en", _("English")


class Consumer(models.Model):
    """The person who reported the case. Personal data: only roles.PERSONAL_DATA_ROLES see it."""

    case = models.OneToOneField(DefectCase, on_delete=models.CASCADE, related_name="consumer")
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name in kana"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.JA)
    # Search keys (defects.search), written by save() from the fields above so that any save (an
    # address change, an erasure) keeps them right; bulk writers use search.consumer_keys().
    name_key = models.TextField(blank=True, editable=False, db_index=True)
    kana_key = models.TextField(blank=True, editable=False)
    address_key = models.TextField(blank=True, editable=False)
    email_key = models.TextField(blank=True, editable=False)
    phone_digits = models.CharField(max_length=32, blank=True, editable=False, db_index=True)

    KEY_SOURCES = {"name": "name_key", "name_kana": "kana_key", "address": "address_key", "email": "email_key",
                   "phone": "phone_digits"}
    # Consent, asked at intake, to short e-mails at sample arrival and when the replacement is sent.
    email_updates = models.BooleanField(_("wants e-mail updates"), default=False)

    class Meta:
        verbose_name = _("consumer")
        verbose_name_plural = _("consumers")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        keys = search.consumer_keys(name=self.name, name_kana=self.name_kana, address=self.address,
                                    email=self.email, phone=self.phone)
        for field, value in keys.items():
            setattr(self, field, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # save(update_fields=["address"]) must write address_key too.
            kwargs["update_fields"] = {*update_fields, *(self.KEY_SOURCES[f] for f in update_fields
                                                         if f in self.KEY_SOURCES)}
        super().save(*args, **kwargs)


class ConsumerAddressHistory(models.Model):
    """One change of the consumer's details: the old and new values of the fields that changed.

    Personal data kept apart from the append-only timeline: the 'address_change' event points at
    this row (Event.data["history"]) and never quotes it, so that the values can be erased after the
    retention period or on the consumer's request (privacy.erasure) while the event stays.
    """

    case = models.ForeignKey(DefectCase, on_delete=models.PROTECT, related_name="consumer_history")
    at = models.DateTimeField(_("at"), default=timezone.now)
    changed = models.JSONField(_("fields changed"), default=list)
    old = models.JSONField(_("before"), default=dict, blank=True)
    new = models.JSONField(_("after"), default=dict, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("consumer address history")
        verbose_name_plural = _("consumer address history")

    def __str__(self):
        return f"{self.case_id} {', '.join(self.changed)}"


class Contact(models.Model):
    """A call, e-mail or letter exchanged with the consumer, with any promise made in it."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the consumer")
        OUTBOUND = "outbound", _("To the consumer")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        WEB = "web", _("Web form")

    case = models.ForeignKey(DefectCase, on_delete=models.PROTECT, related_name="contacts")
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    # The column the summary was kept in before it moved to ContactSummary (kept, always empty now,
    # so that nothing that reads the table breaks; read and write `summary` below).
    legacy_summary = models.TextField(db_column="summary", blank=True, default="", editable=False)
    follow_up_due = models.DateTimeField(_("follow-up due"), null=True, blank=True)
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("follow-up owner"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="follow_ups",
    )
    follow_up_done_at = models.DateTimeField(_("follow-up done at"), null=True, blank=True)
    # A contact is never rewritten: a mistake is put right by a new contact that says which one it corrects.
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        ordering = ["at", "id"]
        # The follow-up sweep, the late-promise lists and the hotline's "promises due today or overdue"
        # queue read only promises still open: this index holds those alone, so their cost follows what
        # is due, not the years of contacts behind it.
        indexes = [
            models.Index(fields=["follow_up_due", "id"], name="contact_open_promise_idx",
                         condition=models.Q(follow_up_done_at__isnull=True, follow_up_due__isnull=False)),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        # Append-only in the database too (PostgreSQL triggers, django-pgtrigger). The one update allowed is the
        # promised follow-up being marked done, once: follow_up_done_at from NULL to a time, every other
        # column unchanged. Why not a row of its own: the completion is a single fact that happens at
        # most once, the overdue sweep, the queues and the API all read the column, and its who/when
        # is on the timeline ("Follow-up done" event); a write-once column gives the same guarantee
        # without moving data that other parts of the system filter on.
        triggers = [
            pgtrigger.Protect(name="contact_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="contact_only_follow_up_done", operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.follow_up_done_at IS NOT NULL OR NEW.follow_up_done_at IS NULL"
                    " OR to_jsonb(OLD) - 'follow_up_done_at' IS DISTINCT FROM to_jsonb(NEW) - 'follow_up_done_at'"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.channel} {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    # The summary is what the consumer told us, often quoting their name, phone or address: personal
    # data, so it lives in ContactSummary (erasable) and not in this append-only row. `summary` reads
    # and writes it as if it were a field: Contact(summary=...) and Contact.objects.create(summary=...)
    # work; the row is written when the contact is first saved. Lists: select_related("summary_row").
    @property
    def summary(self) -> str:
        pending = self.__dict__.get("_pending_summary")
        if pending is not None:
            return pending
        try:
            return self.summary_row.text
        except ContactSummary.DoesNotExist:
            return self.legacy_summary

    @summary.setter
    def summary(self, value):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("A contact is append-only: log a new contact to correct one.")
        self.__dict__["_pending_summary"] = value or ""

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        pending = self.__dict__.pop("_pending_summary", None)
        if adding and pending is not None:
            ContactSummary.objects.create(contact=self, text=pending)

    @property
    def follow_up_overdue(self) -> bool:
        return bool(self.follow_up_due and not self.follow_up_done_at and self.follow_up_due < timezone.now())


class ContactSummary(models.Model):
    """What was said in a contact (its summary): personal data kept out of the append-only contact row,
    so that privacy.erasure can mask it after the retention period or on the consumer's request."""

    contact = models.OneToOneField(Contact, primary_key=True, on_delete=models.CASCADE, related_name="summary_row")
    text = models.TextField(_("summary"), max_length=4000)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact summary")
        verbose_name_plural = _("contact summaries")

    def __str__(self):
        return f"{self.contact_id}"
