"""How long a batch render may go without a sign of life, and how often the sweep looks.

A render holds its batch with a lease it renews each time a chunk of pages finishes; when the
lease runs out, the render is presumed dead (worker killed, database connection lost) and the
periodic sweep queues the batch again. The broker's visibility timeout is set from the same
lease (config/settings.py), so a task whose worker died is delivered again after it.
"""

from django.conf import settings

DEFAULT_LEASE_SECONDS = 300
DEFAULT_SWEEP_SECONDS = 60
# Renders lost in a row (lease ran out, connection dropped) before the batch fails for a person to see.
MAX_INTERRUPTIONS = 5


def lease_seconds() -> int:
    return int(getattr(settings, "HITOTSUBU_BATCH_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def sweep_seconds() -> int:
    return int(getattr(settings, "HITOTSUBU_BATCH_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS))
