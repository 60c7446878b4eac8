"""GET /api/insights/pareto/, GET /api/insights/trend/ and the streamed CSV of the case list."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from defects import extensions, roles, selectors
from defects.api.filters import CaseFilter
from defects.api.views.common import FIELD_ERRORS, FORBIDDEN, AnyAcceptNegotiation

from . import queries, scope

FILTER_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the period (received), inclusive."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of the period, inclusive."),
    OpenApiParameter("factory", str, description="Plant code."),
    OpenApiParameter("product", str, description="Product code."),
]


class ParetoRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    cumulative_share = serializers.FloatField()


class TrendRowSerializer(serializers.Serializer):
    month = serializers.CharField()
    count = serializers.IntegerField()


def filtered_cases(request):
    if not scope.may_see(request.user):
        raise PermissionDenied(_("Your role has no figures to see here."))
    form = scope.InsightFilter(request.query_params)
    if not form.is_valid():
        raise ValidationError(form.errors_by_parameter())
    return form.apply(scope.cases(request.user))


@extend_schema(tags=["insights"])
class ParetoView(APIView):
    @extend_schema(summary="Cases counted by one dimension, largest first, with the cumulative share",
                   parameters=[OpenApiParameter("by", str, required=True, enum=list(queries.PARETO_BY)),
                               *FILTER_PARAMETERS],
                   responses={200: ParetoRowSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN})
    def get(self, request):
        by = request.query_params.get("by", "")
        if by not in queries.PARETO_BY:
            raise ValidationError({"by": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(queries.PARETO_BY)}]})
        return Response(ParetoRowSerializer(queries.pareto(filtered_cases(request), by), many=True).data)


@extend_schema(tags=["insights"])
class TrendView(APIView):
    @extend_schema(summary="Cases received per month (in TIME_ZONE)",
                   parameters=[OpenApiParameter("by", str, enum=["month"]), *FILTER_PARAMETERS],
                   responses={200: TrendRowSerializer(many=True), 400: FIELD_ERRORS, 403: FORBIDDEN})
    def get(self, request):
        if request.query_params.get("by", "month") != "month":
            raise ValidationError({"by": [_("Only 'month' is supported.")]})
        return Response(TrendRowSerializer(queries.trend(filtered_cases(request)), many=True).data)


class _Echo:
    def write(self, value):
        return value


CASE_COLUMNS = [
    ("reference", "reference"), ("received_at", "received_at"), ("state", "state"), ("category", "category"),
    ("product", "product__code"), ("product_name", "product__name"), ("factory", "factory__code"),
    ("lot_code", "lot_code"), ("best_before", "best_before"), ("urgent", "urgent"),
    ("health_effect", "health_effect"), ("occurrence_category", "investigation__occurrence_category"),
    ("escape_category", "investigation__escape_category"), ("approved_at", "approved_at"), ("closed_at", "closed_at"),
]
# Only for the roles that see personal data (defects.roles.PERSONAL_DATA_ROLES). The description is
# the consumer's own words and may name them, so it counts as personal data here too.
PERSONAL_COLUMNS = [
    ("description", "description"), ("consumer_name", "consumer__name"), ("consumer_name_kana", "consumer__name_kana"),
    ("consumer_postal_code", "consumer__postal_code"), ("consumer_address", "consumer__address"),
    ("consumer_phone", "consumer__phone"), ("consumer_email", "consumer__email"),
]
CHUNK = 500


@extend_schema(tags=["cases"])
class CaseExport(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(summary="The case list as CSV (UTF-8 with BOM), with the list's q and filters, streamed",
                   description="Consumer columns and the description only for roles that see personal data.",
                   parameters=[OpenApiParameter(n, str) for n in ("q", "state", "factory", "category", "urgent", "ordering")],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY), 400: FIELD_ERRORS})
    def get(self, request):
        user = request.user
        listing = CaseFilter(request.query_params, queryset=selectors.cases_for(user), request=request)
        if not listing.is_valid():
            raise ValidationError(listing.errors)
        cases = listing.qs
        if request.query_params.get("ordering") not in extensions.CASE_ORDERINGS:
            cases = cases.order_by("-received_at", "-id")
        columns = CASE_COLUMNS + (PERSONAL_COLUMNS if roles.sees_personal_data(user) else [])
        rows = cases.values_list(*[c for _, c in columns]).iterator(chunk_size=CHUNK)
        writer = csv.writer(_Echo())
        tz = timezone.get_default_timezone()

        def lines():
            yield "\ufeff" + writer.writerow([name for name, _ in columns])  # BOM: Excel reads it as UTF-8
            for row in rows:
                yield writer.writerow([_cell(v, tz) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response


def _cell(value, tz):
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value, tz).isoformat(timespec="seconds")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # a cell starting like a formula is text, not a formula (CSV injection)
    return value
