"""Lists that cost the same on page 1 and page 5,000: keyset (cursor) pages and capped counts.

OFFSET pagination reads and throws away every row before the page, and a COUNT of every matching
row on every page grows with the table. A keyset page starts from the last row seen (an index seek)
and a capped count stops at CAP rows, so both cost O(page size) however many cases there are.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

# Past this many matches a total is shown as "1,000+": nobody pages through more, and counting
# them would cost as much as reading them.
CAP = 1000


def capped_count(queryset: QuerySet, cap: int = CAP) -> tuple[int, bool]:
    """(count, more): at most `cap` rows are counted (SELECT COUNT(*) FROM (... LIMIT cap + 1)).

    The list's own order is kept in the subquery: PostgreSQL then walks the list's index and stops
    after cap + 1 matches. Without it, a filter such as "open cases" (all recent) made it scan the
    table from the oldest rows to find them."""
    n = queryset[: cap + 1].count()
    return min(n, cap), n > cap


def count_order(cases: QuerySet, searched: bool) -> QuerySet:
    """The cases to count, ordered for capped_count. A search is answered by its own indexes (a few
    thousand matches at most): counted unordered, PostgreSQL reads just those; in the list's order it
    walked the newest cases until it had found CAP + 1 of them (60 ms against 9 at a million). A
    filter such as a state is counted in the list's index order, so the walk stops at CAP + 1."""
    return cases.order_by() if searched else cases.order_by("-received_at", "-id")


# --- cases, newest first: (received_at DESC, id DESC), served by the case_received_desc index ---------

def encode_cursor(received_at: datetime.datetime, pk: int) -> str:
    raw = f"{received_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[datetime.datetime, int] | None:
    """The position in a cursor, or None for a missing or damaged one (the first page is shown)."""
    if not token or len(token) > 100:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        at, pk = raw.split("|")
        moment = datetime.datetime.fromisoformat(at)
        if moment.tzinfo is None:
            return None
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class CasePage:
    object_list: list
    newer: str | None  # cursor of the page before (newer cases), None on the first page
    older: str | None  # cursor of the page after (older cases), None on the last page
    count: int
    count_capped: bool

    @property
    def has_other_pages(self) -> bool:
        return bool(self.newer or self.older)


def due_ordering_available() -> bool:
    from . import extensions

    return "due" in extensions.CASE_ORDERINGS


def case_page(cases: QuerySet, *, after: str | None = None, before: str | None = None, size: int = 25,
              ordering: str | None = None) -> CasePage:
    """One page of cases in the list's order (newest first, or `ordering`), starting after or before a
    cursor: `older`/`newer` are the next and previous pages in that order."""
    if ordering == "due" and due_ordering_available():
        from . import due_order

        return due_order.page(cases, after=after, before=before, size=size)
    key, descending = "received_at", True
    position = decode_cursor(before) if before else decode_cursor(after)
    backwards = bool(before) and position is not None
    if position is not None:
        at, pk = position
        # The key's range is the index condition; the OR only breaks ties at that instant.
        forwards_newest_first = descending != backwards
        if forwards_newest_first:
            cases = cases.filter(**{f"{key}__lte": at}).filter(Q(**{f"{key}__lt": at}) | Q(pk__lt=pk))
        else:
            cases = cases.filter(**{f"{key}__gte": at}).filter(Q(**{f"{key}__gt": at}) | Q(pk__gt=pk))
    ascending = descending == backwards
    order = (key, "id") if ascending else (f"-{key}", "-id")
    rows = list(cases.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first, last = (rows[0], rows[-1]) if rows else (None, None)

    def cursor(row):
        return encode_cursor(getattr(row, key), row.pk)

    if backwards:
        newer = cursor(first) if more else None
        older = cursor(last) if last else None
    else:
        newer = cursor(first) if (first and position is not None) else None
        older = cursor(last) if more else None
    return CasePage(rows, newer, older, 0, False)


class CaseCursorPagination(CursorPagination):
    """The API's case list: a cursor page newest first, with `count` capped at CAP (and
    `count_capped` true when there are more), so that page 1 and page 5,000 cost the same."""

    ordering = ("-received_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self._count = capped_count(count_order(queryset, bool(request.query_params.get("q"))))
        self._due_page = None
        if request.query_params.get("ordering") == "due" and due_ordering_available():
            # Two keyset segments (due_order), which DRF's one-key cursor cannot express: the cursor
            # is due_order's own, in the same `cursor` parameter.
            from . import due_order

            self.request, self.base_url = request, request.build_absolute_uri()
            self.page_size = self.get_page_size(request)
            cursor = request.query_params.get(self.cursor_query_param)
            forwards = not (cursor or "").startswith("-")
            self._due_page = due_order.page(queryset, after=cursor if forwards else None,
                                            before=None if forwards else cursor[1:], size=self.page_size)
            return self._due_page.object_list
        self.ordering = ("-received_at", "-id")
        return super().paginate_queryset(queryset, request, view)

    def _due_link(self, cursor, backwards=False):
        from rest_framework.utils.urls import replace_query_param

        if not cursor:
            return None
        return replace_query_param(self.base_url, self.cursor_query_param, ("-" if backwards else "") + cursor)

    def get_next_link(self):
        if getattr(self, "_due_page", None) is not None:
            return self._due_link(self._due_page.older)
        return super().get_next_link()

    def get_previous_link(self):
        if getattr(self, "_due_page", None) is not None:
            return self._due_link(self._due_page.newer, backwards=True)
        return super().get_previous_link()

    def get_paginated_response(self, data):
        count, capped = self._count
        return Response({"count": count, "count_capped": capped, "next": self.get_next_link(),
                         "previous": self.get_previous_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"] = {
            "count": {"type": "integer", "example": 123,
                      "description": f"Matching cases, counted up to {CAP}."},
            "count_capped": {"type": "boolean", "description": f"True when more than {CAP} match."},
            **schema["properties"],
        }
        return schema
