"""The OpenAPI schema describes accounts.auth.TokenAuthentication as `Authorization: Token <token>`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <token>` from POST /api/auth/token/; expires, revoked by "
                               "POST /api/auth/logout/ and by a password change."}
