"""GET /api/notifications/ (the caller's own, newest first, keyset-paginated) and
POST /api/notifications/{id}/read/."""

from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from drf_spectacular.utils import extend_schema

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


@extend_schema(responses=NotificationSerializer(many=True))
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
