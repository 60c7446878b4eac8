"""The defect case, its state machine and its timeline (stage log); the consumer and contacts are in
people.py.

Transitions are verbs that change only the case's own fields. Locking, permission checks, the
timeline row and follow-up work belong to `defects.services`, the only code that calls them.
"""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .. import roles, search


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    AWAITING_RETURN = "awaiting_return", _("Awaiting return")
    SAMPLE_RECEIVED = "sample_received", _("Sample received")
    INVESTIGATING = "investigating", _("Investigating")
    REPORT_REVIEW = "report_review", _("Report in review")
    APPROVED = "approved", _("Approved")
    REPLACEMENT_SHIPPED = "replacement_shipped", _("Replacement shipped")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    LETTER = "letter", _("Letter")


class Category(models.TextChoices):
    PACKAGING = "packaging", _("Packaging")
    FOREIGN_MATTER = "foreign_matter", _("Foreign matter")
    TASTE_ODOR = "taste_odor", _("Taste or odour")
    QUANTITY = "quantity", _("Quantity")
    LABELLING = "labelling", _("Labelling")
    OTHER = "other", _("Other")


class Hazard(models.TextChoices):
    NONE = "none", _("None reported")
    INJURY = "injury", _("Injury")
    ILLNESS = "illness", _("Illness")
    CHOKING = "choking", _("Choking")
    ALLERGIC_REACTION = "allergic_reaction", _("Allergic reaction")


class ForeignMatterKind(models.TextChoices):
    GLASS = "glass", _("Glass")
    METAL = "metal", _("Metal")
    HARD_PLASTIC = "hard_plastic", _("Hard plastic")
    SOFT_PLASTIC = "soft_plastic", _("Soft plastic")
    INSECT = "insect", _("Insect")
    HAIR = "hair", _("Hair")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")


class Carrier(models.TextChoices):
    JAPAN_POST = "japan_post", _("Japan Post")
    YAMATO = "yamato", _("Yamato Transport")
    SAGAWA = "sagawa", _("Sagawa Express")


class LotDateKind(models.TextChoices):
    BEST_BEFORE = "best_before", _("Best before")
    PRODUCTION = "production", _("Production date")


class ReferenceCounter(models.Model):
    """Last case number handed out per year; numbers are never reused, even for abandoned intakes."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)


class DefectCase(ConcurrentTransitionMixin, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    # The reference as search compares it (defects.search.compact): 'd2026000123', found from
    # 'ｄ－２０２６－０００１２３', 'D2026000123' or '000123'. Written by save().
    reference_key = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    product = models.ForeignKey("factories.Product", verbose_name=_("product"), on_delete=models.PROTECT)
    lot_code = models.CharField(_("lot code as printed"), max_length=64, blank=True)
    best_before = models.DateField(_("best before"), null=True, blank=True)
    store = models.CharField(_("store"), max_length=100, blank=True)
    purchased_on = models.DateField(_("purchased on"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), max_length=4000)
    health_effect = models.BooleanField(_("health effect reported"), default=False)
    # A consumer reporting illness or injury makes the case urgent; staff may also raise it.
    urgent = models.BooleanField(_("urgent"), default=False, db_index=True)
    # Triage at intake (safety.triage computes severity through extensions.CASE_INTAKE; a QA manager
    # may change it with a reason: safety.services.change_severity).
    hazard = models.CharField(_("hazard"), max_length=20, choices=Hazard.choices, default=Hazard.NONE)
    foreign_matter_kind = models.CharField(_("kind of foreign matter"), max_length=20, blank=True,
                                           choices=ForeignMatterKind.choices)
    undeclared_allergen = models.BooleanField(_("allergen not declared on the label"), default=False)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL,
                                db_index=True)
    factory = models.ForeignKey(
        "factories.Factory", verbose_name=_("factory"), null=True, blank=True, on_delete=models.PROTECT
    )
    # Routing by lot (factories.routing): what the printed lot code told us, and what it did not.
    line = models.ForeignKey(
        "factories.Line", verbose_name=_("production line"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    lot_date = models.DateField(_("date in the lot code"), null=True, blank=True)
    lot_date_kind = models.CharField(_("kind of lot date"), max_length=12, blank=True, choices=LotDateKind.choices)
    routing_note = models.TextField(_("routing note"), blank=True)
    # The lot code normalized (factories.lots.normalize_lot_code) to find other reports on the same lot.
    lot_key = models.CharField(_("normalized lot code"), max_length=64, blank=True, db_index=True, editable=False)
    state = FSMField(_("state"), default=State.RECEIVED, choices=State.choices, protected=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The member of staff who has the case now (hotline or QA manager): who a colleague asks, and who
    # is warned when a clock runs late. Set by defects.services.assign (a timeline event each time).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="owned_cases",
    )

    # Facts the transitions record about the case itself.
    return_requested_at = models.DateTimeField(null=True, blank=True)
    sample_received_at = models.DateTimeField(null=True, blank=True)
    sample_condition = models.TextField(blank=True)
    no_sample_reason = models.TextField(blank=True)
    report_submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    replacement_shipped_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # adopt_report: the case whose approved report answers this one too (one investigation for a
    # whole lot); its consumer-facing summary goes into this case's own apology letter.
    adopted_from = models.ForeignKey(
        "self", verbose_name=_("report adopted from"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="adopted_by",
    )

    # When the consumer's personal data was erased (privacy.erasure: retention over, or the consumer's
    # request). The case and its quality record stay.
    personal_data_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The nearest due time of the case's running clocks (None when none runs), written by the clocks
    # capability (clocks.services.refresh_due), kept here so that ?ordering=due is one index walk.
    next_due_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        # One index per filter of the case list with its order (newest first), so a keyset page is an
        # index range scan whatever the filter; the unrouted queue has a partial index of its own.
        indexes = [
            models.Index(F("received_at").desc(), F("id").desc(), name="case_newest"),
            models.Index("state", F("received_at").desc(), F("id").desc(), name="case_state_newest"),
            models.Index("factory", F("received_at").desc(), F("id").desc(), name="case_factory_newest"),
            models.Index("category", F("received_at").desc(), F("id").desc(), name="case_category_newest"),
            models.Index("urgent", F("received_at").desc(), F("id").desc(), name="case_urgent_newest"),
            models.Index(fields=["received_at", "id"], condition=models.Q(factory__isnull=True),
                         name="case_unrouted"),
            # The retention run asks "closed (withdrawn) before X and not yet erased": these partial indexes
            # hold only the cases still waiting, so the run reads what is due, not every case ever closed.
            models.Index(fields=["closed_at"], name="case_closed_not_erased",
                         condition=models.Q(closed_at__isnull=False, personal_data_erased_at__isnull=True)),
            models.Index(fields=["withdrawn_at"], name="case_withdrawn_not_erased",
                         condition=models.Q(withdrawn_at__isnull=False, personal_data_erased_at__isnull=True)),
            # The queues (defects.queues) read oldest first: the state and unrouted ones walk the indexes
            # above backwards; these two have no twin above.
            models.Index(fields=["factory", "state", "received_at", "id"], name="case_factory_state_recv_idx"),
            models.Index(fields=["received_at", "id"], condition=models.Q(urgent=True), name="case_urgent_received_idx"),
            # ?ordering=due (defects.due_order): the cases with a running clock, nearest due first.
            models.Index(fields=["next_due_at", "id"], condition=models.Q(next_due_at__isnull=False),
                         name="case_next_due"),
        ]
        verbose_name = _("defect case")
        verbose_name_plural = _("defect cases")

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        self.reference_key = search.compact(self.reference)
        update_fields = kwargs.get("update_fields")
        if update_fields is None and not self._state.adding:
            # next_due_at belongs to the clocks, which write it with an UPDATE of that column alone
            # after the event that moved them; a save of the case from a copy read earlier must not
            # put back the due time it read.
            deferred = self.get_deferred_fields()
            update_fields = kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "next_due_at" and f.attname not in deferred]
        if update_fields is not None and "reference" in update_fields:
            kwargs["update_fields"] = {*update_fields, "reference_key"}
        super().save(*args, **kwargs)

    # --- the state machine: fields only, no I/O --------------------------------------------

    @transition(field=state, source=State.RECEIVED, target=State.AWAITING_RETURN, permission=roles.hotline)
    def request_return(self, carrier=None):
        self.return_requested_at = timezone.now()

    @transition(
        field=state, source=State.AWAITING_RETURN, target=State.SAMPLE_RECEIVED,
        permission=roles.factory_qa_of_case_or_mailroom,
    )
    def receive_sample(self, condition=""):
        self.sample_received_at = timezone.now()
        self.sample_condition = condition or ""

    @transition(
        field=state, source=State.SAMPLE_RECEIVED, target=State.INVESTIGATING, permission=roles.factory_qa_of_case
    )
    def start_investigation(self):
        pass

    @transition(
        field=state, source=[State.RECEIVED, State.AWAITING_RETURN], target=State.INVESTIGATING,
        permission=roles.hotline_or_qa_manager,
    )
    def investigate_without_sample(self, reason):
        self.no_sample_reason = reason

    @transition(
        field=state, source=State.INVESTIGATING, target=State.REPORT_REVIEW, permission=roles.factory_qa_of_case
    )
    def submit_report(self):
        self.report_submitted_at = timezone.now()

    @transition(field=state, source=State.REPORT_REVIEW, target=State.INVESTIGATING, permission=roles.qa_manager)
    def reject_report(self, comment):
        self.report_submitted_at = None

    @transition(field=state, source=State.REPORT_REVIEW, target=State.APPROVED, permission=roles.qa_manager)
    def approve_report(self, comment=""):
        self.approved_at = timezone.now()

    @transition(
        field=state,
        source=[State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING],
        target=State.APPROVED,
        permission=roles.qa_manager,
    )
    def adopt_report(self, from_case, reason=""):
        # No investigation of its own: the report of `from_case` (same product, approved) answers it.
        self.adopted_from = from_case
        self.approved_at = timezone.now()

    @transition(field=state, source=State.APPROVED, target=State.REPLACEMENT_SHIPPED, permission=roles.mailroom)
    def ship_replacement(self, carrier, tracking_number):
        self.replacement_shipped_at = timezone.now()

    @transition(
        field=state, source=State.REPLACEMENT_SHIPPED, target=State.CLOSED, permission=roles.hotline_or_mailroom
    )
    def close(self, note=""):
        self.closed_at = timezone.now()

    @transition(field=state, source=State.REPLACEMENT_SHIPPED, target=State.CLOSED, permission=roles.hotline)
    def close_without_delivery(self, reason):
        # The parcel came back, or the consumer declined it: closed, with the reason on the timeline.
        self.closed_at = timezone.now()

    @transition(field=state, source=State.CLOSED, target=State.RECEIVED, permission=roles.hotline)
    def reopen(self, reason):
        # The consumer called again: the case starts over from received, its history kept.
        self.closed_at = None

    @transition(
        field=state,
        source=[State.RECEIVED, State.AWAITING_RETURN, State.SAMPLE_RECEIVED, State.INVESTIGATING],
        target=State.WITHDRAWN,
        permission=roles.hotline,
    )
    def withdraw(self, reason, by=None):
        self.withdrawn_at = timezone.now()
        self.withdrawn_reason = reason
        self.withdrawn_by = by


TRANSITION_NAMES = (
    "request_return", "receive_sample", "start_investigation", "investigate_without_sample", "submit_report",
    "reject_report", "approve_report", "ship_replacement", "close", "withdraw", "close_without_delivery",
    "reopen", "adopt_report",
)


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The timeline is append-only.")

    def delete(self):
        raise PermissionError("The timeline is append-only.")


class Event(models.Model):
    """One line of a case's timeline: a transition, a contact, a letter printed, a parcel, ..."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        TRANSITION = "transition", _("Stage change")
        CONTACT = "contact", _("Contact")
        ASSIGNMENT = "assignment", _("Factory assigned")
        LETTER = "letter", _("Letter")
        SHIPMENT = "shipment", _("Shipment")
        ADDRESS_CHANGE = "address_change", _("Address change")
        NOTE = "note", _("Note")
        OWNER = "owner", _("Owner changed")

    case = models.ForeignKey(DefectCase, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    transition = models.CharField(_("transition"), max_length=40, blank=True)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Facts for the event kind that factory users may see (never personal data), except for the kinds
    # in selectors.PERSONAL_DATA_EVENT_KINDS (an address change holds the old and new address): read event data
    # through selectors.event_data_for(user, event), which hides those from factory users.
    data = models.JSONField(default=dict, blank=True)
    contact = models.ForeignKey("Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        # The ORM refuses (AppendOnlyQuerySet, save, delete); on PostgreSQL the database refuses too,
        # whatever the client: raw SQL, a script, another service.
        triggers = [
            pgtrigger.Protect(name="event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.case_id} {self.kind} {self.transition}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("The timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The timeline is append-only.")
