"""Parcels and the consumer's details over the API.

On a case (actions of CaseViewSet): shipments, consumer (PATCH, hotline), replacement (GET/PUT).
Across cases: returns/scan, parcels/match, shipments/{id}/events, redirects, address/lookup.
Scope always comes from defects.selectors (another factory's case answers 404); every change from
defects.services, whose role rules answer 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from ... import personal_data, roles, selectors, services
from ...forms import ConsumerForm, ParcelMatchForm, RedirectDoneForm, ReplacementItemFormSet, ReturnScanForm, \
    ShipmentEventForm
from ...models import RedirectRequest, Shipment
from .. import serializers as s
from ..bridge import run_form
from .common import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from .investigation import SubResources


def case_json(request, case):
    return s.CaseSerializer(case, context={"request": request}).data


def _typed(serializer_class, data):
    typed = serializer_class(data=data)
    typed.is_valid(raise_exception=True)
    return typed.validated_data


def _replacement_items(rows) -> list[dict]:
    """Check a JSON list of replacement lines with ReplacementItemFormSet; errors 'items[<i>].<field>'."""
    errors, data = {}, {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"items[{index}]"] = [_("Each line is an object with its fields.")]
            continue
        typed = s.ReplacementItemInputSerializer(
            data={k: v for k, v in row.items() if k in s.ReplacementItemInputSerializer._declared_fields})
        if not typed.is_valid():
            errors.update({f"items[{index}].{field}": messages for field, messages in typed.errors.items()})
            continue
        unknown = set(row) - set(s.ReplacementItemInputSerializer._declared_fields) - {"id", "name"}
        if unknown:
            errors[f"items[{index}]"] = [_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}]
        data.update({f"form-{index}-{k}": v for k, v in typed.validated_data.items() if v is not None})
    if errors:
        raise serializers.ValidationError(errors)
    formset = ReplacementItemFormSet(data=data, form_kwargs={"empty_permitted": False})
    if not formset.is_valid():
        for index, form_errors in enumerate(formset.errors):
            errors.update({f"items[{index}].{field}": list(messages) for field, messages in form_errors.items()})
        if formset.non_form_errors():
            errors["items"] = list(formset.non_form_errors())
        raise serializers.ValidationError(errors)
    return [form.cleaned_data for form in formset.forms]


class ParcelActions(SubResources):
    SERIALIZERS = {"shipments": s.ShipmentSerializer, "consumer": s.ConsumerPatchSerializer,
                   "replacement": s.ReplacementSerializer}

    def sub_resource_serializer_class(self):
        return self.SERIALIZERS.get(self.action) or super().sub_resource_serializer_class()

    @extend_schema(summary="The case's parcels: the return and the replacement",
                   responses={200: s.ShipmentSerializer(many=True), 404: NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def shipments(self, request, reference=None):
        shipments = selectors.shipments_for(request.user, self.get_object())
        return Response(s.ShipmentSerializer(shipments, many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Change the consumer's details, e.g. a new address (hotline)",
        description="Send only what changes. Letters not yet printed are rendered again, printed ones flagged "
                    "for reprint; when the replacement has already left, a redirect request is opened "
                    "(`redirect_owner`, `redirect_due` optional). The timeline records old and new values.",
        request=s.ConsumerPatchSerializer,
        responses={200: s.CaseSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["patch"], pagination_class=None, filter_backends=[])
    def consumer(self, request, reference=None):
        case = self.get_object()
        if not roles.hotline(case, request.user):  # before the input: nothing is echoed to other roles
            raise PermissionDenied(_("Only the hotline may change the consumer's details."))
        cleaned = run_form(ConsumerForm, _typed(s.ConsumerPatchSerializer, request.data), partial=True)
        services.change_consumer_address(case, request.user, cleaned)
        personal_data.accessed(request.user, [case], "consumer_api")
        return Response(case_json(request, selectors.case_for(request.user, case.reference)))

    @extend_schema(methods=["GET"], summary="What the replacement parcel holds",
                   responses={200: s.ReplacementAnswerSerializer, 404: NOT_FOUND})
    @extend_schema(methods=["PUT"], summary="Change what the replacement parcel holds (hotline, mail room)",
                   description="Allowed from approval until the parcel ships; every line is replaced. At least one "
                               "product line, at most one goodwill item (gift or coupon, with its value in yen).",
                   request=s.ReplacementSerializer,
                   responses={200: s.ReplacementAnswerSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN,
                              404: NOT_FOUND, 409: CONFLICT})
    @action(detail=True, methods=["get", "put"], pagination_class=None, filter_backends=[],
            conflict_code="replacement_not_editable")
    def replacement(self, request, reference=None):
        case = self.get_object()
        if request.method == "PUT":
            if not roles.hotline_or_mailroom(case, request.user):
                raise PermissionDenied(_("Only the hotline and the mail room may change the replacement."))
            if case.state != "approved":
                raise services.TransitionConflict(
                    _("The replacement can be changed from approval until it ships; the case is '%(state)s'.")
                    % {"state": case.state})
            rows = _replacement_items(_typed(s.ReplacementSerializer, request.data)["items"])
            services.set_replacement_items(case, request.user, rows)
        shipment = selectors.replacement_shipment(case)
        items = shipment.items.select_related("product") if shipment else []
        return Response({"shipment": shipment.pk if shipment else None, "status": shipment.status if shipment else None,
                         "items": s.ReplacementItemSerializer(items, many=True).data})


@extend_schema(tags=["parcels"])
class ReturnScanView(APIView):
    """The mail room (or the factory) scans the reference on an arriving return parcel."""

    @extend_schema(summary="Find the case of a return parcel by its reference (any spelling)",
                   description="Reads only; receiving the sample is the `receive_sample` transition.",
                   request=s.ReturnScanSerializer, responses={200: s.CaseSerializer, 400: FIELD_ERRORS,
                                                              404: NOT_FOUND})
    def post(self, request):
        cleaned = run_form(ReturnScanForm, _typed(s.ReturnScanSerializer, request.data))
        case = selectors.find_return(request.user, cleaned["reference"])
        if roles.sees_personal_data(request.user):
            personal_data.accessed(request.user, [case], "case_api")
        return Response(case_json(request, case))


@extend_schema(tags=["parcels"])
class ParcelMatchView(generics.GenericAPIView):
    serializer_class = s.CaseSerializer
    filter_backends = []

    @extend_schema(summary="Open cases a parcel without its kit may belong to (awaiting return first)",
                   description="By return or case reference for everyone; by consumer name, kana or phone digits "
                               "only for roles that see personal data.",
                   parameters=[OpenApiParameter("q", str, required=True, description="Name, kana, phone or reference")],
                   responses={200: s.CaseSerializer(many=True), 400: FIELD_ERRORS})
    def get(self, request):
        cleaned = run_form(ParcelMatchForm, _typed(s.ParcelMatchQuerySerializer, request.query_params))
        cases = selectors.with_waiting_facts(
            selectors.match_parcel(request.user, cleaned["q"]).select_related("line", "consumer"))
        page = self.paginate_queryset(cases)
        if roles.sees_personal_data(request.user):
            personal_data.accessed(request.user, page, "parcel_match")
        return self.get_paginated_response(s.CaseSerializer(page, many=True, context={"request": request}).data)


@extend_schema(tags=["parcels"])
class ShipmentEventView(APIView):
    """A parcel event typed in by staff or posted by a carrier integration (a mail-room account)."""

    case = None
    conflict_code = "parcel_event_not_allowed"

    @extend_schema(summary="Record what happened to a parcel (mail room, hotline, admin)",
                   description="201 when recorded; 200 with the event already recorded when the same carrier "
                               "event (`external_id`) is posted again, or a delivered parcel is delivered again.",
                   request=s.ShipmentEventInputSerializer,
                   responses={201: s.ShipmentEventSerializer, 200: s.ShipmentEventSerializer, 400: FIELD_ERRORS,
                              403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT})
    def post(self, request, shipment_id):
        shipment = (Shipment.objects.select_related("case")
                    .filter(pk=shipment_id, case__in=selectors.cases_for(request.user)).first())
        if shipment is None:
            raise Http404(_("No such parcel."))
        self.case = shipment.case
        if not roles.has_role(request.user, *services.SHIPMENT_EVENT_ROLES):
            raise PermissionDenied(_("Your role may not record parcel events."))
        cleaned = run_form(ShipmentEventForm, _typed(s.ShipmentEventInputSerializer, request.data))
        event, created = services.record_shipment_event(shipment, request.user, **cleaned)
        return Response(s.ShipmentEventSerializer(event, context={"request": request}).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _require_personal_data(user):
    if not roles.sees_personal_data(user):
        raise PermissionDenied(_("Redirect requests hold the consumer's address; your role may not see them."))


@extend_schema(tags=["parcels"])
class RedirectListView(APIView):
    @extend_schema(summary="Open redirect requests, most urgent first (roles that see personal data)",
                   responses={200: s.RedirectRequestSerializer(many=True), 403: FORBIDDEN})
    def get(self, request):
        _require_personal_data(request.user)
        redirects = list(selectors.open_redirects(request.user))
        personal_data.accessed(request.user, [r.case_id for r in redirects], "redirects")
        return Response(s.RedirectRequestSerializer(redirects, many=True).data)


@extend_schema(tags=["parcels"])
class RedirectDoneView(APIView):
    conflict_code = "redirect_done"

    @extend_schema(summary="The carrier was asked to redirect the parcel (hotline, mail room, admin)",
                   request=s.RedirectDoneSerializer,
                   responses={200: s.RedirectRequestSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND,
                              409: CONFLICT})
    def post(self, request, redirect_id):
        _require_personal_data(request.user)
        redirect = RedirectRequest.objects.filter(pk=redirect_id,
                                                  case__in=selectors.cases_for(request.user)).first()
        if redirect is None:
            raise Http404(_("No such redirect request."))
        if not roles.has_role(request.user, *services.REDIRECT_ROLES):
            raise PermissionDenied(_("Your role may not handle redirect requests."))
        cleaned = run_form(RedirectDoneForm, _typed(s.RedirectDoneSerializer, request.data))
        redirect = services.complete_redirect(redirect, request.user, note=cleaned.get("note") or "")
        return Response(s.RedirectRequestSerializer(redirect).data)


@extend_schema(tags=["parcels"])
class AddressLookupView(APIView):
    @extend_schema(summary="Prefecture, city and town of a postal code (for filling in an address)",
                   parameters=[OpenApiParameter("postal_code", str, required=True,
                                                description="e.g. 8100001 or ８１０－０００１")],
                   responses={200: s.AddressLookupSerializer, 400: FIELD_ERRORS})
    def get(self, request):
        query = _typed(s.AddressQuerySerializer, request.query_params)
        return Response(services.lookup_address(query["postal_code"]))
