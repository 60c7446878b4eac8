"""Company holidays, clock targets, and the clocks of each case."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CompanyHoliday(models.Model):
    """A day the hotline is closed besides weekends and public holidays; `year` empty: every year."""

    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True,
                                            help_text=_("Leave empty for every year."))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["month", "day"]
        verbose_name = _("company holiday")
        verbose_name_plural = _("company holidays")
        constraints = [models.UniqueConstraint(fields=["month", "day", "year"], name="company_holiday_once")]

    def __str__(self):
        return f"{self.year or '*'}-{self.month:02d}-{self.day:02d} {self.name}"

    def clean(self):
        import datetime

        try:
            datetime.date(self.year or 2024, self.month, self.day)  # 2024: Feb 29 is allowed every year
        except ValueError as error:
            raise ValidationError({"day": str(error)}) from error


class Name(models.TextChoices):
    FIRST_NOTICE = "first_notice", _("First notice")
    INVESTIGATION = "investigation", _("Investigation")
    REVIEW = "review", _("Review")
    REPLACEMENT = "replacement", _("Replacement")
    RESOLUTION = "resolution", _("Resolution")
    # Counted on the wall clock, day and night (clocks.services.WALL_CLOCK_NAMES); started by safety.
    SAFETY_REVIEW = "safety_review", _("Safety review")


class ClockTarget(models.Model):
    """How many business hours each clock gives (the defaults of clocks.targets when absent)."""

    name = models.CharField(_("clock"), max_length=20, choices=Name.choices, unique=True)
    hours = models.DecimalField(_("business hours"), max_digits=6, decimal_places=2)
    urgent_hours = models.DecimalField(_("business hours when urgent"), max_digits=6, decimal_places=2,
                                       null=True, blank=True)

    class Meta:
        verbose_name = _("clock target")
        verbose_name_plural = _("clock targets")

    def __str__(self):
        return f"{self.name}: {self.hours} h"


class State(models.TextChoices):
    RUNNING = "running", _("running")
    PAUSED = "paused", _("paused")
    MET = "met", _("met")
    BREACHED = "breached", _("breached")


class Clock(models.Model):
    case = models.ForeignKey("defects.DefectCase", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("clock"), max_length=20, choices=Name.choices)
    target_hours = models.DecimalField(max_digits=6, decimal_places=2)
    started_at = models.DateTimeField()
    # Running: when it is due (and when the 75 % warning is due). Paused: both empty; the business
    # time already used is kept in used_seconds and the clock restarts from there.
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    used_seconds = models.PositiveIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # The finished outcome; a running clock past due reads as breached (see `state`).
    outcome = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="one_clock_per_name")]

    def __str__(self):
        return f"{self.case_id} {self.name}"

    def state(self, now=None) -> str:
        if self.outcome == State.RUNNING and self.due_at and self.due_at < (now or timezone.now()):
            return State.BREACHED
        return self.outcome
