"""Token authentication (REST_FRAMEWORK default): knox's hashed, expiring tokens, revoked by a
password change (see accounts.models)."""

import binascii
from hmac import compare_digest

from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from defects import roles

from .models import ApiToken


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`; expired, logged-out and pre-password-change tokens get 401.

    knox's own lookup costs every API request two queries more than it needs (issue 11: intake at
    half the speed of an empty view): it reads all the user's tokens to delete their expired ones,
    and the user's roles follow in a query of their own. Here one query reads the token, its user
    and (PostgreSQL) the user's role names; expired tokens of the user are deleted when a new one
    is issued (ApiTokenManager.create) instead, and an expired token is still refused and deleted."""

    def authenticate_credentials(self, token):
        try:
            text = token.decode("utf-8")
        except UnicodeDecodeError:
            # knox decodes without asking: a header that is not UTF-8 would be a 500.
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        tokens = ApiToken.objects.filter(token_key=text[:CONSTANTS.TOKEN_KEY_LENGTH]).select_related("user")
        with_roles = connection.vendor == "postgresql"
        if with_roles:
            from django.contrib.auth.models import Group
            from django.contrib.postgres.expressions import ArraySubquery
            from django.db.models import OuterRef

            tokens = tokens.annotate(role_names=ArraySubquery(
                Group.objects.filter(user=OuterRef("user_id")).values("name")))
        now = timezone.now()
        for auth_token in tokens:
            if auth_token.expiry is not None and auth_token.expiry < now:
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, auth_token = self.validate_user(auth_token)
                if with_roles:
                    roles.remember(user, auth_token.role_names)
                return user, auth_token
        raise exceptions.AuthenticationFailed(_("Invalid token."))

    def validate_user(self, auth_token):
        user = auth_token.user
        if not constant_time_compare(auth_token.password_fingerprint, user.get_session_auth_hash()):
            auth_token.delete()  # issued under a password that is no longer the user's
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().validate_user(auth_token)
