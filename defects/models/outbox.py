"""The timeline as an outbox: which events still wait for their handlers, and which handler has
handled which event.

Kept beside the Event, never on it: the event row is immutable (append-only, enforced by triggers
on PostgreSQL), so "dispatched" cannot be a column of it.
"""

from django.db import models
from django.utils import timezone


class PendingDispatch(models.Model):
    """One row per event whose handlers have not all run. Deleted once they have, so the table
    (and the sweep that reads it) is as large as the backlog, not as the timeline."""

    event = models.OneToOneField("defects.Event", primary_key=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The sweep picks rows whose time has come: a short grace after the write (the task sent on commit
    # normally gets there first), then a growing delay after each failed attempt.
    next_attempt_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "pending dispatch"
        verbose_name_plural = "pending dispatches"


class Delivery(models.Model):
    """Handler `handler` has handled event `event`: written in the handler's own transaction, so a
    second run of the same dispatch (a redelivered task, the sweep, a concurrent worker) skips it."""

    event = models.ForeignKey("defects.Event", on_delete=models.CASCADE, related_name="+")
    handler = models.CharField(max_length=100)
    delivered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="outbox_delivery_once")]
        verbose_name = "outbox delivery"
        verbose_name_plural = "outbox deliveries"
