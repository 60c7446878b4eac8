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


def case_page(cases: QuerySet, *, after: str | None = None, before: str | None = None, size: int = 25) -> CasePage:
    """One page of cases newest first, starting after (older than) or before (newer than) a cursor."""
    position = decode_cursor(before) if before else decode_cursor(after)
    backwards = bool(before) and position is not None
    if position is not None:
        at, pk = position
        # `received_at <= at` is the index condition; the OR only breaks ties at that instant.
        if backwards:
            cases = cases.filter(received_at__gte=at).filter(Q(received_at__gt=at) | Q(pk__gt=pk))
        else:
            cases = cases.filter(received_at__lte=at).filter(Q(received_at__lt=at) | Q(pk__lt=pk))
    ordering = ("received_at", "id") if backwards else ("-received_at", "-id")
    rows = list(cases.order_by(*ordering)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first, last = (rows[0], rows[-1]) if rows else (None, None)
    if backwards:
        newer = encode_cursor(first.received_at, first.pk) if more else None
        older = encode_cursor(last.received_at, last.pk) if last else None
    else:
        newer = encode_cursor(first.received_at, first.pk) if (first and position is not None) else None
        older = encode_cursor(last.received_at, last.pk) if more else None
    return CasePage(rows, newer, older, 0, False)


class CaseCursorPagination(CursorPagination):
    """The API's case list: a cursor page newest first, with `count` capped at CAP (and
    `count_capped` true when there are more), so that page 1 and page 5,000 cost the same."""

    ordering = ("-received_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self._count = capped_count(queryset)
        return super().paginate_queryset(queryset, request, view)

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
