"""Cases: list, detail, intake, transitions, timeline, contacts; routing (unrouted, assign-factory).

The case's other sub-resources are actions of the same viewset, written next to their subject:
investigation.py (report, photos, versions) and parcels.py (shipments, consumer, replacement).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.reverse import reverse

from factories.models import Factory, Product

from ... import duplicates, personal_data, roles, selectors, services
from ...keyset import CaseCursorPagination
from ...models import TRANSITION_NAMES
from .. import serializers as s
from ..errors import BlockedTransition
from ..filters import CaseFilter
from .common import CONFLICT, FIELD_ERRORS, FORBIDDEN, NOT_FOUND
from .investigation import InvestigationActions
from .parcels import ParcelActions



# Free text a factory user reads (selectors.FACTORY_READABLE_NOTES, FACTORY_FREE_TEXT_FIELDS): the answer
# lists what in it quotes the consumer (`warnings`).
INTAKE_FACTORY_TEXT = ("description", "store")
TRANSITION_FACTORY_TEXT = {"receive_sample": ("condition",), "investigate_without_sample": ("reason",),
                           "reject_report": ("comment",), "approve_report": ("comment",)}


@extend_schema(tags=["master data"])
class FactoryList(generics.ListAPIView):
    queryset = Factory.objects.order_by("code")
    serializer_class = s.FactorySerializer
    filter_backends = []


@extend_schema(tags=["master data"])
class ProductList(generics.ListAPIView):
    queryset = Product.objects.order_by("code")
    serializer_class = s.ProductSerializer
    filter_backends = []


@extend_schema_view(
    list=extend_schema(summary="Cases you may see, newest first"),
    retrieve=extend_schema(summary="One case", responses={200: s.CaseSerializer, 404: NOT_FOUND}),
    create=extend_schema(
        summary="Open a case (hotline, admin)", request=s.CaseIntakeSerializer,
        responses={201: s.CaseCreatedSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    ),
)
@extend_schema(tags=["cases"])
class CaseViewSet(InvestigationActions, ParcelActions, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter
    # Keyset pages, newest first, with a capped count: page 5,000 costs what page 1 costs.
    pagination_class = CaseCursorPagination
    lookup_field = "reference"
    lookup_value_regex = r"[A-Za-z0-9-]{1,30}"
    case = None  # the case this request is about, once found (errors.py reads its state for a 409)
    conflict_code = "transition_not_allowed"  # the 409's "code"; the investigation action has its own

    def get_queryset(self):
        # With the consumer for everyone: shown to the roles that see personal data, and the patterns
        # that mask the free text for factory readers (selectors.text_for) without a query per case.
        return selectors.with_waiting_facts(
            selectors.cases_for(self.request.user).select_related("line", "consumer", "adopted_from"))

    def get_serializer_class(self):
        # What each action reads and answers; the browsable API builds its forms from this too.
        if self.action == "create":
            return s.CaseIntakeSerializer
        if self.action == "transitions":
            return s.TransitionPayloadSerializer
        if self.action == "events":
            return s.EventSerializer
        if self.action == "contacts":
            return s.ContactInputSerializer if self.request.method == "POST" else s.ContactSerializer
        if self.action == "assign_factory":
            return s.AssignFactorySerializer
        if self.action == "assign":
            return s.AssignOwnerSerializer
        return self.sub_resource_serializer_class() or s.CaseSerializer

    def get_object(self):
        self.case = selectors.case_for(self.request.user, self.kwargs["reference"])
        return self.case

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if roles.sees_personal_data(request.user):
            # Every hit on the page shows its consumer: one access record each, in one insert.
            personal_data.accessed(request.user, page, "case_list")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        if roles.sees_personal_data(request.user):
            personal_data.accessed(request.user, [case], "case_api")
        return Response(self.get_serializer(case).data)

    def create(self, request, *args, **kwargs):
        # Opening a case is the hotline's job (admins stand in); the rule has no FSM transition to live on.
        if not roles.has_role(request.user, roles.HOTLINE, roles.ADMIN):
            raise PermissionDenied(_("Only the hotline may open cases."))
        intake = self.get_serializer(data=request.data)
        intake.is_valid(raise_exception=True)
        case = intake.save()
        location = reverse("api:case-detail", kwargs={"reference": case.reference}, request=request)
        # The API accepts the text and says what in it factory users will see masked.
        # (The Consumer itself, not a dict of it: privacy.masking keeps its patterns on it, built once
        # for both texts.)
        warnings = personal_data.warnings_for(case.consumer,
                                              {name: getattr(case, name) for name in INTAKE_FACTORY_TEXT})
        # A repeat caller: the client shows these so the operator can keep one case per problem.
        duplicate_cases = s.DuplicateSerializer(duplicates.of_consumer(case.consumer, exclude=case), many=True).data
        return Response({**self._case_json(case), "warnings": warnings, "possible_duplicates": duplicate_cases},
                        status=status.HTTP_201_CREATED, headers={"Location": location})

    def _case_json(self, case):
        return s.CaseSerializer(case, context=self.get_serializer_context()).data

    # --- transitions ------------------------------------------------------------------------

    @extend_schema(
        summary="Run a transition",
        description="The body is the transition's payload; fields per transition:\n\n" + s.payload_table()
                    + "\n\nA 409 with code `transition_blocked` lists under `blockers` what still holds the "
                      "transition back although the state allows it (the parcel's letters not printed, the "
                      "replacement not delivered).",
        parameters=[OpenApiParameter("name", str, OpenApiParameter.PATH, enum=[*TRANSITION_NAMES],
                                     description="The transition to run.")],
        request=s.TransitionPayloadSerializer,
        responses={200: s.CaseWithWarningsSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND,
                   409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]{1,40})")
    def transitions(self, request, reference=None, name=None):
        case = self.get_object()
        if name not in s.PAYLOAD_SERIALIZERS:
            raise Http404(_("No such transition."))
        # Answer "not your job" and "not now" before "fix your input": a caller who may not run the
        # transition learns nothing from payload errors. The service checks both again under its lock.
        if not services.role_may_run(case, request.user, name):
            raise PermissionDenied(_("Your role may not run '%(name)s' on this case.") % {"name": name})
        if name not in {t.name for t in case.get_available_state_transitions()}:
            raise services.TransitionConflict(
                _("'%(name)s' is not possible while the case is '%(state)s'.") % {"name": name, "state": case.state})
        blockers = services.blockers(case, name)
        if blockers:  # e.g. ship_replacement before the parcel's letters are printed (409 with the reasons)
            raise BlockedTransition(blockers)
        payload = s.PAYLOAD_SERIALIZERS[name](data=request.data)
        payload.is_valid(raise_exception=True)
        case = services.perform(case, name, request.user, payload.validated_data)
        warnings = []
        # Only for those who know the consumer: for a factory user the answer would be an oracle
        # ("does my text hold the consumer's phone?"); what they write is masked anyway.
        if roles.sees_personal_data(request.user):
            texts = {f: payload.validated_data.get(f) or "" for f in TRANSITION_FACTORY_TEXT.get(name, ())}
            warnings = personal_data.warnings_for(personal_data.consumer_dict(getattr(case, "consumer", None)), texts)
        return Response({**self._case_json(case), "warnings": warnings})

    # --- timeline ---------------------------------------------------------------------------

    @extend_schema(summary="The case's timeline, oldest first", responses={200: s.EventSerializer(many=True),
                                                                           404: NOT_FOUND})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, reference=None):
        case = self.get_object()
        events = list(case.events.select_related("actor", "contact__summary_row").order_by("at", "id"))
        if roles.sees_personal_data(request.user):
            selectors.attach_address_history(events)
            personal_data.accessed(request.user, [case], "timeline")
        return Response(s.EventSerializer(events, many=True, context=self.get_serializer_context()).data)

    # --- contacts ---------------------------------------------------------------------------

    @extend_schema(methods=["GET"], summary="Contacts with the consumer (not for factory QA)",
                   responses={200: s.ContactSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND})
    @extend_schema(methods=["POST"], summary="Log a contact (hotline, QA manager, mail room)",
                   request=s.ContactInputSerializer,
                   responses={201: s.ContactSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND})
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def contacts(self, request, reference=None):
        case = self.get_object()
        # Contacts are conversations with the consumer, full of what they told us: only the roles
        # that see personal data read or log them. Factory QA get 403 (not a filtered list, which
        # would look like "nobody has called").
        if not roles.sees_personal_data(request.user):
            raise PermissionDenied(_("Contacts with the consumer are not shown to factory users."))
        if request.method == "POST":
            contact_input = s.ContactInputSerializer(data=request.data)
            contact_input.is_valid(raise_exception=True)
            contact = services.log_contact(case, request.user, contact_input.validated_data)
            return Response(s.ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
        contacts = case.contacts.select_related("by", "follow_up_owner", "summary_row").order_by("at", "id")
        personal_data.accessed(request.user, [case], "contacts")
        return Response(s.ContactSerializer(contacts, many=True).data)

    # --- routing ------------------------------------------------------------------------------

    @extend_schema(
        summary="Open cases no factory has yet (QA manager, hotline, admin; 403 for other roles)",
        description="The QA manager's routing queue (the lot code could not be read, or names an unknown plant), "
                    "urgent first, then oldest. Factory users and the mail room are answered 403: it is not their "
                    "queue, and an empty list would look like 'nothing to route'.",
        responses={200: s.CaseSerializer(many=True), 403: FORBIDDEN},
    )
    # Ordered as a queue (urgent, then oldest) and small (open cases without a factory, a partial
    # index): numbered pages, not the case list's cursor.
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=PageNumberPagination)
    def unrouted(self, request):
        if not roles.roles_of(request.user) & selectors.UNROUTED_ROLES:
            raise PermissionDenied(_("Only the QA manager, the hotline and admins see the routing queue."))
        cases = selectors.with_waiting_facts(selectors.unrouted(request.user).select_related("line", "consumer"))
        page = self.paginate_queryset(cases)
        personal_data.accessed(request.user, page, "case_list")
        data = s.CaseSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Assign (or correct) the case's factory (QA manager)",
        request=s.AssignFactorySerializer,
        responses={200: s.CaseSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="assign-factory", url_name="assign-factory",
            conflict_code="factory_not_assignable")
    def assign_factory(self, request, reference=None):
        case = self.get_object()
        # As for transitions: "not your job", then "not now", then "fix your input".
        if not roles.qa_manager(case, request.user):
            raise PermissionDenied(_("Only a QA manager may assign a case to a factory."))
        if case.state not in selectors.open_states() or (
                case.factory_id is not None and case.state not in services.REASSIGNABLE_STATES):
            raise services.TransitionConflict(
                _("The factory cannot be changed while the case is '%(state)s'.") % {"state": case.state})
        body = s.AssignFactorySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.assign_factory(case, request.user, body.validated_data["factory"],
                                       note=body.validated_data.get("note") or "")
        return Response(self._case_json(case))


    @extend_schema(
        summary="Take the case or give it to a colleague (hotline, QA manager)",
        description="`owner` is the username of an active hotline or QA manager user (your own to take the "
                    "case). Each change is a timeline event `owner`; naming the current owner changes nothing. "
                    "400 names `owner` for an unknown or ineligible user; 403 for other roles; 409 once the case "
                    "is closed or withdrawn.",
        request=s.AssignOwnerSerializer,
        responses={200: s.CaseSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="assign", url_name="assign", conflict_code="owner_not_changeable")
    def assign(self, request, reference=None):
        case = self.get_object()
        if not services.may_assign(request.user):
            raise PermissionDenied(_("Only the hotline and QA managers may take or assign cases."))
        body = s.AssignOwnerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.assign(case, request.user, body.validated_data["owner"])
        return Response(self._case_json(case))
