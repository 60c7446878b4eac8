"""JSON nested deeper than HITOTSUBU_JSON_MAX_DEPTH answers 400, on every endpoint, before any view.

Python's json module recurses once per level, so a body of a few thousand nested brackets ended in
a RecursionError, a 500, even unauthenticated (the token endpoint parses before it knows anyone).
A middleware, not only a DRF parser, so that every view is covered whatever parsers it picks.
No body this API accepts nests more than a few levels; the default limit leaves ample room.
"""

import json

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _

DEFAULT_MAX_DEPTH = 32


def max_depth() -> int:
    return int(getattr(settings, "HITOTSUBU_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def nesting_depth(value) -> int:
    """How deeply lists and objects nest in a parsed value (iteratively: no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def too_deep(body: bytes, limit: int) -> bool:
    try:
        data = json.loads(body)
    except RecursionError:
        return True
    except ValueError:
        return False  # malformed JSON is the parser's to refuse, naming the problem
    return nesting_depth(data) > limit


class JsonDepthLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and "json" in (request.content_type or ""):
            limit = max_depth()
            if too_deep(request.body, limit):
                return JsonResponse({"detail": _("The JSON body is nested more than %(limit)s levels deep.")
                                     % {"limit": limit}, "code": "json_too_deep"}, status=400)
        return self.get_response(request)
