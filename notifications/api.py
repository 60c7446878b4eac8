"""GET /api/notifications/ (the caller's own, newest first, keyset-paginated) and
POST /api/notifications/{id}/read/."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from drf_spectacular.utils import OpenApiParameter, extend_schema

from defects.api.pages import cursor_page

from . import services
from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "case", "message", "created_at", "read"]

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")


@extend_schema(responses=cursor_page(NotificationSerializer, "NotificationPage"),
               parameters=[OpenApiParameter("cursor", str, description="The page, from `next`/`previous`.")])
@api_view(["GET"])
def notification_list(request):
    paginator = NewestFirst()
    page = paginator.paginate_queryset(services.visible(request.user).select_related("case"), request)
    return paginator.get_paginated_response(NotificationSerializer(page, many=True).data)


@extend_schema(request=None, responses=NotificationSerializer)
@api_view(["POST"])
def notification_read(request, pk: int):
    get_object_or_404(services.visible(request.user), pk=pk)
    note = services.mark_read(request.user, pk)
    return Response(NotificationSerializer(note).data)


# --- webhooks (administrators) ----------------------------------------------------------------

from defects import roles  # noqa: E402
from defects.models import Event  # noqa: E402
from rest_framework import status  # noqa: E402
from rest_framework.exceptions import PermissionDenied  # noqa: E402
from django.core.exceptions import ValidationError as DjangoValidationError  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from .models import Webhook  # noqa: E402
from . import webhooks  # noqa: E402


class WebhookSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(write_only=True, min_length=16, max_length=200)
    events = serializers.ListField(child=serializers.ChoiceField(choices=Event.Kind.choices), allow_empty=False)

    class Meta:
        model = Webhook
        fields = ["id", "url", "secret", "events", "active", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_url(self, value):
        try:
            webhooks.check_url(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["url"]) from error
        return value


@extend_schema(request=WebhookSerializer, responses=WebhookSerializer(many=True))
@api_view(["GET", "POST"])
def webhook_list(request):
    if not roles.has_role(request.user, roles.ADMIN):
        raise PermissionDenied(_("Only administrators manage webhooks."))
    if request.method == "POST":
        serializer = WebhookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook = serializer.save()
        return Response(WebhookSerializer(webhook).data, status=status.HTTP_201_CREATED)
    return Response(WebhookSerializer(Webhook.objects.order_by("id"), many=True).data)


# --- the consumer's status page (public) --------------------------------------------------------

from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.decorators import authentication_classes, permission_classes, throttle_classes  # noqa: E402

from . import status as case_status  # noqa: E402


class StatusQuerySerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=30)
    phone_last4 = serializers.RegexField(r"^\d{4}$", max_length=4)


class StatusSerializer(serializers.Serializer):
    state = serializers.CharField()
    state_label = serializers.CharField()
    dates = serializers.DictField(child=serializers.DateField(allow_null=True))


@extend_schema(request=StatusQuerySerializer, responses={200: StatusSerializer, 404: None, 429: None},
               summary="A consumer's own case stage (public)")
@api_view(["POST"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])
def case_status_api(request):
    address = case_status.client_address(request)
    if case_status.blocked(address):
        return Response({"detail": _("Too many wrong tries. Please try again in an hour.")}, status=429)
    query = StatusQuerySerializer(data=request.data)
    case = None
    if query.is_valid():
        case = case_status.lookup(query.validated_data["reference"], query.validated_data["phone_last4"], address)
    else:
        case_status.lookup("", "", address)  # malformed counts as a wrong try, and answers the same
    if case is None:
        return Response({"detail": _("No case matches this reference and phone number.")}, status=404)
    return Response(case_status.status_of(case))
