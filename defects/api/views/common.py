"""What every API view module shares: documented error answers and helpers for binary answers."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from .. import serializers as s
from ..negotiation import AnyAcceptNegotiation  # noqa: F401  (for the views that stream files)

FIELD_ERRORS = OpenApiResponse(OpenApiTypes.OBJECT, description=(
    'Invalid input: {"field": ["message"]}; consumer fields nested as {"consumer": {"name": [...]}}; '
    'errors of no single field under "non_field_errors"; list items named like "countermeasures[1].target".'))
FORBIDDEN = OpenApiResponse(s.ErrorSerializer, description="Your role may not do this.")
NOT_FOUND = OpenApiResponse(s.ErrorSerializer, description="No such case (or object), or not one you may see.")
CONFLICT = OpenApiResponse(s.ConflictSerializer, description="Not possible in the case's current state.")

