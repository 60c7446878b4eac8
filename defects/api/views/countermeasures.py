"""GET /api/countermeasures/?overdue=true and PATCH /api/countermeasures/{id}/ (done_date,
effectiveness_result): the factory follows its countermeasures through after approval."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ...services import countermeasures as service
from ..pages import cursor_page


# Named apart from the report's own countermeasure rows (serializers.investigation) in the schema.
@extend_schema_serializer(component_name="CountermeasureFollowThrough")
class CountermeasureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.CharField(source="investigation.case.reference")
    target = serializers.CharField()
    action = serializers.CharField()
    owner = serializers.CharField()
    responsible = serializers.CharField(source="responsible.username", default=None)
    due_date = serializers.DateField(allow_null=True)
    done_date = serializers.DateField(allow_null=True)
    effectiveness_due = serializers.DateField(allow_null=True)
    effectiveness_result = serializers.CharField()
    effectiveness_checked_by = serializers.CharField(source="effectiveness_checked_by.username", default=None)
    effectiveness_checked_at = serializers.DateTimeField(allow_null=True)


class CountermeasurePatchSerializer(serializers.Serializer):
    done_date = serializers.DateField(required=False, allow_null=True)
    effectiveness_result = serializers.CharField(required=False, max_length=2000, allow_blank=True)
    responsible = serializers.CharField(required=False, max_length=150,
                                        help_text="Username of the person who owns it (the factory's QA or a QA manager).")
    note = serializers.CharField(required=False, max_length=500, allow_blank=True,
                                 help_text="Added to the timeline events this change writes.")


class ById(CursorPagination):
    ordering = ("id",)


class CountermeasureList(APIView):
    @extend_schema(parameters=[OpenApiParameter("overdue", bool, description="Only the overdue ones."),
                               OpenApiParameter("cursor", str, description="The page, from `next`/`previous`.")],
                   responses=cursor_page(CountermeasureSerializer, "CountermeasurePage"), tags=["countermeasures"])
    def get(self, request):
        rows = service.visible_countermeasures(request.user).select_related("effectiveness_checked_by")
        flag = request.query_params.get("overdue", "")
        if flag not in ("", "true", "false"):
            raise serializers.ValidationError({"overdue": ["true or false"]})
        if flag == "true":
            rows = service.overdue(rows)
        paginator = ById()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(CountermeasureSerializer(page, many=True).data)


class CountermeasureDetail(APIView):
    @extend_schema(request=CountermeasurePatchSerializer, responses=CountermeasureSerializer, tags=["countermeasures"])
    def patch(self, request, pk: int):
        if not service.visible_countermeasures(request.user).filter(pk=pk).exists():
            raise Http404("No such countermeasure.")  # another factory's: not found
        body = CountermeasurePatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        service.follow_through(pk, request.user, body.validated_data)
        row = service.visible_countermeasures(request.user).select_related("effectiveness_checked_by").get(pk=pk)
        return Response(CountermeasureSerializer(row).data)
