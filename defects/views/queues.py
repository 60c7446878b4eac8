"""Home (the user's queues, first few of each with a count) and one queue's full, keyset-paginated list."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import extensions, queues, roles


def queue_sections(user, ordering: str = "") -> list[dict]:
    """Each queue's first rows and count; ordering 'due' sorts the queues of cases by the nearest due
    time (the others keep their own order, a due order already)."""
    sections = []
    for queue in queues.queues_for(user):
        order = queues.ordering_of(queue, ordering)
        rows, key = queues.ordered_rows(queue, user, order)
        count, capped = queues.capped_count(rows)
        first = queues.first_rows(rows, key, queues.HOME_ROWS)
        sections.append({"queue": queue, "rows": queues.prepare(queue, first, user),
                         "count": count, "capped": capped, "more": count > queues.HOME_ROWS, "ordering": order})
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
    ordering = queues.DUE if request.GET.get("ordering") == queues.DUE else ""
    sections = queue_sections(user, ordering)
    return render(request, "defects/home.html", {
        "sections": sections,
        "ordering": ordering,
        # The sort switch only where a queue of cases is shown and the clocks are installed.
        "may_sort_by_due": any(queues.sorts_by_due(s["queue"]) for s in sections),
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
    ordering = queues.ordering_of(queue, request.GET.get("ordering"))
    rows, key = queues.ordered_rows(queue, user, ordering)
    count, capped = queues.capped_count(rows)
    after = request.GET.get("after", "")
    # Keyset on (key, id) in either ordering: the cursor holds the last row's key, O(page size).
    found, next_cursor = queues.page(rows, key, after)
    return render(request, "defects/queue.html", {
        "queue": queue, "rows": queues.prepare(queue, found, user), "count": count, "capped": capped,
        "next_cursor": next_cursor, "is_first": not after, "ordering": ordering,
        "may_sort_by_due": queues.sorts_by_due(queue),
    })
