"""API tokens: django-rest-knox's hashed, expiring token, bound to the password it was issued under.

knox stores only a SHA-512 digest of each token and gives every token an expiry (REST_KNOX
TOKEN_TTL, from HITOTSUBU_TOKEN_HOURS). What knox does not do is forget tokens when the password
changes. Django's sessions solve the same problem by storing a hash of the password hash in the
session and comparing it on every request; a token here does the same: `password_fingerprint` is
`user.get_session_auth_hash()` at issue time, and accounts.auth refuses a token whose fingerprint no
longer matches. So every way of changing a password (the admin, `manage.py changepassword`,
`set_password()` + `save()`) revokes the user's tokens, with no signal to forget.
"""

from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken, AuthTokenManager


class ApiTokenManager(AuthTokenManager):
    def create(self, user, *args, **kwargs):
        kwargs.setdefault("password_fingerprint", user.get_session_auth_hash())
        # The user's expired tokens go when a new one is issued (knox deleted them on every request,
        # a query per API call; accounts.auth still refuses and deletes an expired token sent to it).
        self.filter(user=user, expiry__lt=timezone.now()).delete()
        return super().create(user, *args, **kwargs)


class ApiToken(AbstractAuthToken):
    password_fingerprint = models.CharField(max_length=128, editable=False)

    objects = ApiTokenManager()

    class Meta:
        verbose_name = "API token"
        verbose_name_plural = "API tokens"
