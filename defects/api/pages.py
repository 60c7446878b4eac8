"""The schema of a cursor page (what DRF's CursorPagination answers), for views that paginate by hand."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


def cursor_page(item_serializer: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """A serializer `{next, previous, results: [item]}` named `name` in the schema."""
    fields = {
        "next": serializers.URLField(allow_null=True, help_text="The next page, or null."),
        "previous": serializers.URLField(allow_null=True, help_text="The previous page, or null."),
        "results": item_serializer(many=True),
    }
    return extend_schema_serializer(component_name=name)(type(name, (serializers.Serializer,), fields))
