"""Home (the user's queues, first few of each with a count) and one queue's full, keyset-paginated list."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import extensions, queues, roles


def queue_sections(user) -> list[dict]:
    sections = []
    for queue in queues.queues_for(user):
        rows = queue.rows(user)
        count, capped = queues.capped_count(rows)
        sections.append({"queue": queue, "rows": queues.prepare(queue, list(rows[: queues.HOME_ROWS]), user),
                         "count": count, "capped": capped, "more": count > queues.HOME_ROWS})
    return sections


def letters_ready(user) -> list[dict] | None:
    """Letters ready to print, by kind, for the people who print them (the print room lists them)."""
    if not roles.has_role(user, roles.MAILROOM):
        return None
    from letters.models import Kind
    from letters.services import waiting_counts

    counts = waiting_counts()
    return [{"kind": kind, "label": label, "count": counts.get(kind, 0)} for kind, label in Kind.choices]


@require_GET
@login_required
def home(request):
    user = request.user
    return render(request, "defects/home.html", {
        "sections": queue_sections(user),
        "letters_ready": letters_ready(user),
        "is_factory_only": roles.is_factory_only(user),
        # Sections the capabilities add (safety reviews, lot alerts), before the queues: they are the
        # most urgent work of the people who see them.
        "panels": [p for p in (panel(user) for panel in extensions.HOME_PANELS) if p],
    })


@require_GET
@login_required
def queue_page(request, name):
    user = request.user
    queue = queues.QUEUES.get(name)
    if queue is None or not queues.may_see(user, queue):
        raise Http404("No such queue.")
    rows = queue.rows(user)
    count, capped = queues.capped_count(rows)
    after = request.GET.get("after", "")
    found, next_cursor = queues.page(rows, queue.key, after)
    return render(request, "defects/queue.html", {
        "queue": queue, "rows": queues.prepare(queue, found, user), "count": count, "capped": capped,
        "next_cursor": next_cursor, "is_first": not after,
    })
