"""Safety in the API: safety reviews (and the recall register), lot alerts, severity changes."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from defects import roles, selectors
from defects.api.pages import cursor_page
from defects.models import Severity

from . import lots, services
from .models import Decision, LotAlert, RecallClass, SafetyReview

# --- safety reviews --------------------------------------------------------------------------------


class SafetyReviewSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    product = serializers.CharField(source="case.product.code", read_only=True)
    factory = serializers.SerializerMethodField()
    severity = serializers.CharField(source="case.severity", read_only=True)
    hazard = serializers.CharField(source="case.hazard", read_only=True)
    category = serializers.CharField(source="case.category", read_only=True)
    foreign_matter_kind = serializers.CharField(source="case.foreign_matter_kind", read_only=True)
    lot_code = serializers.CharField(source="case.lot_code", read_only=True)
    due_at = serializers.SerializerMethodField()
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = SafetyReview
        fields = ["id", "case", "product", "factory", "category", "severity", "hazard", "foreign_matter_kind",
                  "lot_code", "opened_at", "due_at", "status", "decision", "rationale", "recall_class", "lots",
                  "authority_notified_at", "authority_reference", "decided_by", "decided_at"]

    def get_factory(self, review) -> str | None:
        return review.case.factory.code if review.case.factory_id else None

    def get_due_at(self, review) -> str | None:
        due = review.opened_at + services.REVIEW_WINDOW
        return serializers.DateTimeField().to_representation(due)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    rationale = serializers.CharField(max_length=4000, allow_blank=True)
    recall_class = serializers.ChoiceField(choices=RecallClass.choices, required=False, allow_blank=True)
    lots = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=100)
    authority_notified_at = serializers.DateTimeField(required=False, allow_null=True)
    authority_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class AuthoritySerializer(serializers.Serializer):
    authority_notified_at = serializers.DateTimeField(required=False, allow_null=True)
    authority_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)


class Newest(CursorPagination):
    ordering = ("-opened_at", "-id")


def reviews_for(user):
    """QA managers and admins: every review; factory QA: their plant's cases'; others: 403."""
    reviews = SafetyReview.objects.select_related("case__product", "case__factory", "decided_by")
    if roles.has_role(user, roles.QA_MANAGER, roles.ADMIN):
        return reviews
    if roles.has_role(user, roles.FACTORY_QA):
        return reviews.filter(case__in=selectors.cases_for(user))
    raise PermissionDenied(_("Safety reviews are for QA managers and the plant's QA."))


@extend_schema(tags=["safety"], summary="Safety reviews (QA managers all; factory QA their plant's)",
               operation_id="safety_reviews_list",
               parameters=[OpenApiParameter("decision", str, enum=Decision.values),
                           OpenApiParameter("status", str, enum=SafetyReview.Status.values)],
               responses=cursor_page(SafetyReviewSerializer, "SafetyReviewPage"))
@api_view(["GET"])
def review_list(request):
    reviews = reviews_for(request.user)
    if request.query_params.get("decision") in Decision.values:
        reviews = reviews.filter(decision=request.query_params["decision"])
    if request.query_params.get("status") in SafetyReview.Status.values:
        reviews = reviews.filter(status=request.query_params["status"])
    paginator = Newest()
    page = paginator.paginate_queryset(reviews, request)
    return paginator.get_paginated_response(SafetyReviewSerializer(page, many=True).data)


def _review(request, pk):
    review = reviews_for(request.user).filter(pk=pk).first()
    if review is None:
        raise Http404("No such safety review.")
    return review


@extend_schema(tags=["safety"], methods=["GET"], responses=SafetyReviewSerializer)
@extend_schema(tags=["safety"], methods=["PATCH"], request=AuthoritySerializer, responses=SafetyReviewSerializer,
               summary="Fill in the authority's notification of a recall later (QA managers)")
@api_view(["GET", "PATCH"])
def review_detail(request, pk: int):
    review = _review(request, pk)
    if request.method == "PATCH":
        body = AuthoritySerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        review = services.update_authority(review.pk, request.user, body.validated_data)
        review = _review(request, pk)
    return Response(SafetyReviewSerializer(review).data)


@extend_schema(tags=["safety"], request=DecideSerializer, responses=SafetyReviewSerializer,
               summary="Decide a safety review: recall, monitor or no action (QA managers; 403 for others)")
@api_view(["POST"])
def review_decide(request, pk: int):
    if not services.may_decide(request.user):
        # Before looking the review up: a hotline user learns nothing about it.
        raise PermissionDenied(_("Only a QA manager decides a safety review."))
    review = _review(request, pk)
    body = DecideSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    services.decide(review.pk, request.user, body.validated_data)
    return Response(SafetyReviewSerializer(_review(request, pk)).data)


# --- severity -----------------------------------------------------------------------------------------

class SeveritySerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class SeverityChangedSerializer(serializers.Serializer):
    reference = serializers.CharField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    urgent = serializers.BooleanField()


@extend_schema(tags=["safety"], request=SeveritySerializer, responses=SeverityChangedSerializer,
               summary="Change a case's severity with a reason (QA managers)")
@api_view(["POST"])
def case_severity(request, reference: str):
    if not roles.has_role(request.user, roles.QA_MANAGER):
        raise PermissionDenied(_("Only a QA manager may change the severity."))
    case = selectors.case_for(request.user, reference)
    body = SeveritySerializer(data=request.data)
    body.is_valid(raise_exception=True)
    case = services.change_severity(case, request.user, body.validated_data["severity"],
                                    body.validated_data["reason"])
    return Response({"reference": case.reference, "severity": case.severity, "urgent": case.urgent})


# --- lot alerts -------------------------------------------------------------------------------------

class LotAlertSerializer(serializers.ModelSerializer):
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)
    factory = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    lot_code = serializers.CharField(source="lot_key", read_only=True)
    cases = serializers.SerializerMethodField()

    class Meta:
        model = LotAlert
        fields = ["id", "product", "lot_code", "factory", "cases", "opened_at", "status", "rule", "conclusion",
                  "acknowledged_at", "closed_at"]

    def get_cases(self, alert) -> list[str]:
        return [m.case.reference for m in alert.memberships.all()]


class ConclusionSerializer(serializers.Serializer):
    conclusion = serializers.CharField(max_length=4000, allow_blank=True)


class NewestAlert(CursorPagination):
    ordering = ("-opened_at", "-id")


def _alerts(request):
    if not lots.may_see_alerts(request.user):
        raise PermissionDenied(_("Lot alerts are for QA managers and the plant's QA."))
    return lots.alerts_for(request.user).prefetch_related("memberships__case")


@extend_schema(tags=["safety"], summary="Lot alerts (QA managers all; factory QA their plant's)",
               operation_id="lot_alerts_list",
               parameters=[OpenApiParameter("status", str, enum=LotAlert.Status.values)],
               responses=cursor_page(LotAlertSerializer, "LotAlertPage"))
@api_view(["GET"])
def alert_list(request):
    alerts = _alerts(request)
    if request.query_params.get("status") in LotAlert.Status.values:
        alerts = alerts.filter(status=request.query_params["status"])
    paginator = NewestAlert()
    page = paginator.paginate_queryset(alerts, request)
    return paginator.get_paginated_response(LotAlertSerializer(page, many=True).data)


@extend_schema(tags=["safety"], request=None, responses=LotAlertSerializer, summary="Acknowledge a lot alert")
@api_view(["POST"])
def alert_acknowledge(request, pk: int):
    _alerts(request)
    lots.acknowledge(pk, request.user)
    return Response(LotAlertSerializer(_alerts(request).get(pk=pk)).data)


@extend_schema(tags=["safety"], request=ConclusionSerializer, responses=LotAlertSerializer,
               summary="Close a lot alert with its conclusion")
@api_view(["POST"])
def alert_close(request, pk: int):
    _alerts(request)
    body = ConclusionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    lots.close(pk, request.user, body.validated_data["conclusion"])
    return Response(LotAlertSerializer(_alerts(request).get(pk=pk)).data)
