"""Both kinds of bearer credential on one server: static `tgk_` tokens and Entra ID tokens.

Why dispatch on the token's shape: a `tgk_` token is looked up in the token file, a JWT is
validated against its issuer; trying one kind after the other would turn every Entra token into
a token-file read and every `tgk_` typo into a JWT parse. Automation keeps its static tokens
while people sign in with Entra ID (issue 26).
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from api.auth import Authenticator, AuthRefused, NoAuth, TokenAuth, TokenStore, Viewer
from api.errors import ApiCode, error_body
from api.jwks import KeysUnavailable
from api.oidc import OidcAuth, looks_like_jwt
from api.oidc_config import OidcConfig

__all__ = ["BearerAuth", "bearer_authenticator", "refusal_response"]

log = logging.getLogger("tenantgraph.api")


class BearerAuth:
    """`tgk_...` to the token file, a JWT to Entra ID validation (when configured)."""

    enabled = True

    def __init__(self, tokens: TokenAuth, oidc: OidcAuth | None) -> None:
        self.tokens = tokens
        self.oidc = oidc

    def authenticate(self, authorization: str | None) -> Viewer | None:
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        if looks_like_jwt(token):
            if self.oidc is None:
                raise AuthRefused(
                    "oidc-not-configured", "this server does not accept Entra ID tokens"
                )
            return self.oidc.authenticate(authorization)
        return self.tokens.authenticate(authorization)


def bearer_authenticator(tokens: str | None, sign_in: OidcConfig | None) -> Authenticator:
    """What `serve` (and each worker) checks credentials with: `NoAuth` for `--no-auth` (no
    token file), else static tokens plus Entra ID tokens when sign-in is configured."""
    if tokens is None:
        return NoAuth()
    return BearerAuth(TokenAuth(TokenStore(tokens)), OidcAuth(sign_in) if sign_in else None)


def refusal_response(exc: AuthRefused | KeysUnavailable) -> JSONResponse:
    """The answer to a refused credential: 401 `unauthenticated` (403 `forbidden` for a valid
    identity without a role) with the `reason`, per RFC 6750 in `WWW-Authenticate` too; 503
    when the issuer's keys cannot be read (the token may be fine: retry)."""
    if isinstance(exc, KeysUnavailable):
        log.warning("cannot check an Entra ID token: %s", exc)
        body = error_body("identity-provider-unavailable", "the token issuer's keys cannot be read")
        return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})
    code: ApiCode = "forbidden" if exc.status == 403 else "unauthenticated"
    body = {"errors": [{"message": str(exc), "extensions": {"code": code, "reason": exc.reason}}]}
    error = "insufficient_scope" if exc.status == 403 else "invalid_token"
    challenge = f'Bearer realm="tenantgraph", error="{error}", error_description="{exc.reason}"'
    return JSONResponse(body, status_code=exc.status, headers={"WWW-Authenticate": challenge})
