"""GET /api/audit/personal-data/?case=<reference>: who was shown a case's personal data (admins only)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination

from defects import roles
from defects.references import InvalidCaseReference, parse_case_reference

from .models import Access, PersonalDataAccess


class AccessSerializer(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    what = serializers.ChoiceField(choices=Access.choices, read_only=True)

    class Meta:
        model = PersonalDataAccess
        fields = ["at", "user", "case", "what"]


class NewestFirst(CursorPagination):
    # Keyset pagination on the (case, -at, -id) index: a page costs the same on a log of any size.
    ordering = ("-at", "-id")
    page_size = 50


@extend_schema(tags=["audit"], summary="Who was shown a case's personal data, newest first (admins only)",
               parameters=[OpenApiParameter("case", str, required=True, description="The case reference.")])
class PersonalDataAccessList(generics.ListAPIView):
    serializer_class = AccessSerializer
    pagination_class = NewestFirst
    filter_backends = []

    def get_queryset(self):
        if not roles.has_role(self.request.user, roles.ADMIN):
            raise PermissionDenied(_("Only administrators read the personal data access log."))
        text = (self.request.query_params.get("case") or "").strip()
        if not text:
            raise serializers.ValidationError({"case": [_("Give the case reference, e.g. ?case=2026-000123.")]})
        try:
            reference = str(parse_case_reference(text))
        except InvalidCaseReference as error:
            raise serializers.ValidationError({"case": [str(error)]}) from None
        return PersonalDataAccess.objects.filter(case__reference=reference).select_related("user", "case")
