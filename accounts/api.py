"""POST /api/auth/token/ (username + password -> {"token": ..., "expiry": ...}) and
POST /api/auth/logout/ (the token sent is revoked).

The password is checked with django.contrib.auth.authenticate() on the Django request, so
django-axes sees every attempt exactly as on the login page: after AXES_FAILURE_LIMIT failures for
a username from one address it refuses even the right password, and AxesMiddleware answers 429
(accounts.lockout). The token itself is knox's: stored hashed, expiring, bound to the password.
"""

from django.contrib.auth import authenticate, user_logged_in
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.views import LogoutView as KnoxLogoutView
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .auth import TokenAuthentication
from .models import ApiToken


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        request = self.context["request"]
        # The Django request, not DRF's wrapper: axes marks lockouts on the object the middleware sees.
        user = authenticate(request=request._request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."), code="authorization")
        attrs["user"] = user
        return attrs


TokenResponse = inline_serializer("TokenResponse", {
    "token": serializers.CharField(help_text="Send as `Authorization: Token <token>`."),
    "expiry": serializers.DateTimeField(help_text="The token stops working then (HITOTSUBU_TOKEN_HOURS)."),
})


class TokenView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "login"
    serializer_class = CredentialsSerializer

    @extend_schema(request=CredentialsSerializer, responses={200: TokenResponse},
                   summary="Get an API token (expires; 429 after repeated failures)")
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data, context={"request": request})
        credentials.is_valid(raise_exception=True)
        user = credentials.validated_data["user"]
        instance, token = ApiToken.objects.create(user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        expiry = serializers.DateTimeField().to_representation(instance.expiry) if instance.expiry else None
        return Response({"token": token, "expiry": expiry})


class LogoutView(KnoxLogoutView):
    """Revokes the token this request was made with: it answers 401 from now on."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None}, summary="Revoke this API token")
    def post(self, request, format=None):
        return super().post(request, format)
