"""Token authentication (REST_FRAMEWORK default): knox's hashed, expiring tokens, revoked by a
password change (see accounts.models)."""

from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`; expired, logged-out and pre-password-change tokens get 401."""

    def authenticate_credentials(self, token):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            # knox decodes without asking: a header that is not UTF-8 would be a 500.
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        user = auth_token.user
        if not constant_time_compare(auth_token.password_fingerprint, user.get_session_auth_hash()):
            auth_token.delete()  # issued under a password that is no longer the user's
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().validate_user(auth_token)
