"""The factory's work on a case: the investigation report, its countermeasures, photos and versions.

The report is a draft, saved at any time through defects.services.save_investigation, until it is
submitted; `missing_for_submission()` says what a complete report still lacks. Each submission is
kept as an InvestigationVersion (a JSON snapshot) on which the QA manager's decision is recorded.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from factories.photos import photo_upload_to
from factories.wording import blaming_phrases_in

MAX_WHYS = 5
MAX_WHY_LENGTH = 1000

# The case states in which the factory may still edit its report (strings, so that this module
# never imports defects; defects.services.EDITABLE_REPORT_STATES is the same set).
EDITABLE_CASE_STATES = ("sample_received", "investigating")


class CauseCategory(models.TextChoices):
    """4M (man, machine, material, method) and 5M1E (+ measurement, environment)."""

    MAN = "man", _("人 Man")
    MACHINE = "machine", _("機械 Machine")
    MATERIAL = "material", _("材料 Material")
    METHOD = "method", _("方法 Method")
    MEASUREMENT = "measurement", _("測定 Measurement")
    ENVIRONMENT = "environment", _("環境 Environment")


class Conclusion(models.TextChoices):
    DETERMINED = "determined", _("Cause determined")
    PROBABLE = "probable", _("Probable cause")
    NOT_DETERMINED = "not_determined", _("Cause not determined")


def clean_whys(value) -> list[dict]:
    """A 5-Whys chain: a list of at most five {"why": ..., "because": ...}.

    Returns the cleaned chain (texts stripped, rows with neither text dropped). A draft may hold a
    why not yet answered; submission requires every why answered (see missing_for_submission).
    """
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("A 5-Whys chain is a list of {why, because} pairs."), code="invalid")
    cleaned = []
    for index, row in enumerate(value, start=1):
        if not isinstance(row, dict) or set(row) - {"why", "because"}:
            raise ValidationError(
                _("Level %(n)s of the 5-Whys chain must have only 'why' and 'because'."),
                code="invalid", params={"n": index},
            )
        texts = {}
        for key in ("why", "because"):
            text = row.get(key) or ""
            if not isinstance(text, str):
                raise ValidationError(_("Level %(n)s: '%(key)s' must be text."), code="invalid",
                                      params={"n": index, "key": key})
            text = text.strip()
            if len(text) > MAX_WHY_LENGTH:
                raise ValidationError(_("Level %(n)s: '%(key)s' is longer than %(max)s characters."),
                                      code="max_length", params={"n": index, "key": key, "max": MAX_WHY_LENGTH})
            texts[key] = text
        if texts["why"] or texts["because"]:
            cleaned.append(texts)
    if len(cleaned) > MAX_WHYS:
        raise ValidationError(_("A 5-Whys chain has at most %(max)s levels."), code="max_length",
                              params={"max": MAX_WHYS})
    return cleaned


def validate_whys(value) -> None:
    clean_whys(value)


def _filled(value) -> bool:
    return bool((value or "").strip()) if isinstance(value, str) or value is None else True


class Investigation(models.Model):
    """The factory's root-cause report on one case (a draft until submitted)."""

    case = models.OneToOneField("defects.DefectCase", on_delete=models.CASCADE, related_name="investigation")
    # Examination of the returned sample.
    sample_checks = models.TextField(_("what was checked on the sample"), blank=True)
    sample_findings = models.TextField(_("findings on the sample"), blank=True)
    # Containment: retained samples of the same lot.
    retained_samples_checked = models.PositiveIntegerField(_("retained samples checked"), null=True, blank=True)
    retained_samples_result = models.TextField(_("result of the retained samples"), blank=True)
    # Manufacturing process and causes.
    manufacturing_process = models.TextField(_("manufacturing process"), blank=True)
    cause_of_occurrence = models.TextField(_("cause of occurrence"), blank=True)
    occurrence_category = models.CharField(_("occurrence category (4M/5M1E)"), max_length=12, blank=True,
                                           choices=CauseCategory.choices)
    occurrence_whys = models.JSONField(_("5-Whys of the occurrence"), default=list, blank=True,
                                       validators=[validate_whys])
    cause_of_escape = models.TextField(_("cause of escape"), blank=True)
    escape_category = models.CharField(_("escape category (4M/5M1E)"), max_length=12, blank=True,
                                       choices=CauseCategory.choices)
    escape_whys = models.JSONField(_("5-Whys of the escape"), default=list, blank=True, validators=[validate_whys])
    conclusion = models.CharField(_("conclusion"), max_length=16, blank=True, choices=Conclusion.choices)
    # Internal summary of the prevention; the actions themselves are the countermeasures.
    prevention = models.TextField(_("prevention measures"), blank=True)
    # Written for the letter to the consumer: plain language, never blaming the consumer.
    consumer_examined = models.TextField(_("what we examined (for the consumer)"), blank=True)
    consumer_process = models.TextField(_("manufacturing process (for the consumer)"), blank=True)
    consumer_cause = models.TextField(_("cause (for the consumer)"), blank=True)
    # The letter explains why our inspection let it through (流出原因), not only why it happened.
    consumer_escape = models.TextField(_("why our checks missed it (for the consumer)"), blank=True)
    consumer_prevention = models.TextField(_("prevention (for the consumer)"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # The report's own fields, in form order: what InvestigationForm edits and a version snapshots.
    REPORT_FIELDS = (
        "sample_checks", "sample_findings", "retained_samples_checked", "retained_samples_result",
        "manufacturing_process", "cause_of_occurrence", "occurrence_category", "occurrence_whys",
        "cause_of_escape", "escape_category", "escape_whys", "conclusion", "prevention",
        "consumer_examined", "consumer_process", "consumer_cause", "consumer_escape", "consumer_prevention",
    )
    CONSUMER_FIELDS = ("consumer_examined", "consumer_process", "consumer_cause", "consumer_escape",
                       "consumer_prevention")
    # Kept for callers of the first version; the full rules are in submission_problems().
    REQUIRED_FOR_SUBMISSION = ("manufacturing_process", "conclusion", "consumer_process", "consumer_cause",
                               "consumer_prevention")

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self):
        return f"Investigation {self.case_id}"

    @property
    def is_editable(self) -> bool:
        return self.case.state in EDITABLE_CASE_STATES

    def submission_problems(self) -> dict[str, list[str]]:
        """{field name: [messages]} for everything that keeps this report from being submitted.

        List-level names: 'countermeasures' (none at all), 'countermeasures_occurrence' and
        'countermeasures_escape' (none for that cause), 'countermeasures_owner' and
        'countermeasures_due_date' (an action without one).
        """
        problems: dict[str, list[str]] = {}

        def need(name, message=None):
            problems.setdefault(name, []).append(message or gettext("Required before the report can be submitted."))

        without_sample = bool((self.case.no_sample_reason or "").strip())
        if not without_sample:
            # Investigated without a sample: the recorded reason stands in for the examination.
            for name in ("sample_checks", "sample_findings"):
                if not _filled(getattr(self, name)):
                    need(name)
        if self.retained_samples_checked is None:
            need("retained_samples_checked",
                 gettext("Say how many retained samples of the lot were checked (0 if none)."))
        if not _filled(self.retained_samples_result):
            need("retained_samples_result")
        if not _filled(self.manufacturing_process):
            need("manufacturing_process")
        if not self.conclusion:
            need("conclusion")
        cause_found = self.conclusion in (Conclusion.DETERMINED, Conclusion.PROBABLE)
        if cause_found:
            for prefix, cause in (("occurrence", "cause_of_occurrence"), ("escape", "cause_of_escape")):
                if not _filled(getattr(self, cause)):
                    need(cause)
                if not getattr(self, f"{prefix}_category"):
                    need(f"{prefix}_category")
                whys = getattr(self, f"{prefix}_whys") or []
                if not any(isinstance(w, dict) and _filled(w.get("why")) and _filled(w.get("because"))
                           for w in whys):
                    need(f"{prefix}_whys", gettext("Give at least one why with its because."))
                elif any(isinstance(w, dict) and not (_filled(w.get("why")) and _filled(w.get("because")))
                         for w in whys):
                    need(f"{prefix}_whys", gettext("Every why needs its because (and every because its why)."))
        measures = list(self.countermeasures.all()) if self.pk else []
        targets = {m.target for m in measures}
        if cause_found:
            if Countermeasure.Target.OCCURRENCE not in targets:
                need("countermeasures_occurrence", gettext("Give at least one action against the occurrence."))
            if Countermeasure.Target.ESCAPE not in targets:
                need("countermeasures_escape", gettext("Give at least one action against the escape."))
        elif not measures:
            need("countermeasures", gettext("Give at least one action, also when no cause was found."))
        if any(not _filled(m.owner) for m in measures):
            need("countermeasures_owner", gettext("Every action needs an owner."))
        if any(m.due_date is None for m in measures):
            need("countermeasures_due_date", gettext("Every action needs a due date."))
        for name in self.CONSUMER_FIELDS:
            text = getattr(self, name)
            if not _filled(text):
                # With no cause found there is no escape to explain; the letter says what was checked.
                if name != "consumer_escape" or cause_found:
                    need(name)
                continue
            found = blaming_phrases_in(text)
            if found:
                need(name, gettext("Written for the consumer, this must not blame them; rephrase: %(phrases)s.")
                     % {"phrases": ", ".join(found)})
        return problems

    def missing_for_submission(self) -> list[str]:
        """Field names still missing or wrong; a report with any of them cannot be submitted."""
        return list(self.submission_problems())


class Countermeasure(models.Model):
    """One action of the 再発防止策, against the occurrence or the escape, with its effectiveness check."""

    class Target(models.TextChoices):
        OCCURRENCE = "occurrence", _("Occurrence (発生)")
        ESCAPE = "escape", _("Escape (流出)")

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="countermeasures")
    target = models.CharField(_("against"), max_length=12, choices=Target.choices)
    action = models.TextField(_("action"), max_length=2000)
    owner = models.CharField(_("owner"), max_length=100, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_date = models.DateField(_("done on"), null=True, blank=True)
    effectiveness_due = models.DateField(_("effectiveness check due"), null=True, blank=True)
    effectiveness_result = models.TextField(_("effectiveness check result"), max_length=2000, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Follow-through after approval (defects.services.countermeasures): the person responsible, and
    # who recorded the effectiveness check, when. The approved report's snapshot stays as it was.
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("responsible"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="countermeasures")
    effectiveness_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                                 on_delete=models.PROTECT, related_name="+")
    effectiveness_checked_at = models.DateTimeField(_("effectiveness checked at"), null=True, blank=True)

    # What a countermeasure is made of, as a version snapshot and the API hold it.
    FIELDS = ("target", "action", "owner", "due_date", "done_date", "effectiveness_due", "effectiveness_result")

    class Meta:
        ordering = ["position", "id"]
        # The overdue lists and the factory's "countermeasures due" queue (defects.queues) read only
        # undone / unchecked rows past their date.
        indexes = [
            models.Index(fields=["due_date", "id"], condition=models.Q(done_date__isnull=True),
                         name="countermeasure_open_due_idx"),
            models.Index(fields=["effectiveness_due"], name="cm_check_due", condition=models.Q(effectiveness_result="")),
        ]
        verbose_name = _("countermeasure")
        verbose_name_plural = _("countermeasures")

    def __str__(self):
        return f"{self.get_target_display()}: {self.action[:40]}"


class InvestigationPhoto(models.Model):
    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to=photo_upload_to, max_length=200)
    content_type = models.CharField(_("content type"), max_length=20)
    size = models.PositiveIntegerField(_("size in bytes"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or self.file.name


class InvestigationVersion(models.Model):
    """A submitted report, frozen as JSON, and the QA manager's decision on it."""

    class Decision(models.TextChoices):
        PENDING = "", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    investigation = models.ForeignKey(Investigation, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("report as submitted"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=10, blank=True, choices=Decision.choices)
    decision_comment = models.TextField(_("comment"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["investigation_id", "number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [
            models.UniqueConstraint(fields=["investigation", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.investigation} v{self.number}"
