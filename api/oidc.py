"""Entra ID access tokens as API credentials: validated JWTs mapped to a `Viewer`.

Why PyJWT (with `cryptography`): signature checks, registered-claim checks (exp, nbf, iss,
aud, with leeway) and the algorithm allow-list are exactly what it does, it is maintained and
small, and both are already installed (msal depends on them); hand-written JWT checks are a
classic source of `alg: none` and key-confusion holes. What is Entra-specific lives here.

What a token must pass, following "Validate tokens" in
https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens and
https://learn.microsoft.com/entra/identity-platform/claims-validation:

1. three base64url parts whose header names an allowed algorithm (`OidcConfig.algorithms`,
   asymmetric only: `alg: none` and HS256 are refused before any key is looked at) and a `kid`;
2. an issuer (`iss`) that is configured — checked before any network call, so a token cannot
   make the server fetch keys from a host it names;
3. a signature by the issuer's published key `kid` (`api.jwks`: cached, one refetch for an
   unknown `kid`, then refused);
4. `aud` one of the configured audiences; `exp` (required) and `nbf` within the clock skew;
5. when tenants are configured, `tid` one of them (the token was issued by that tenant);
6. a role: values of `roles` (app roles; delegated tokens also carry `scp`, app-only tokens
   only `roles`) or `groups` (object ids) mapped to reader/auditor/admin, the highest wins;
   a valid token with none is 403 `forbidden`, reason `no-role`.

The viewer's `token_id` is `entra:<oid>` (the user's or calling app's object id; `sub` when
there is no `oid`), so rate limits, the audit log and request logs name the identity, never the
token. Tenant scope works exactly as for scoped static tokens (`api.scope`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import jwt

from api.auth import AuthRefused, Role, Viewer
from api.jwks import FetchJson, JwksCache, http_json
from api.oidc_config import OidcConfig

__all__ = ["OidcAuth", "looks_like_jwt"]

_RANK = {Role.READER: 0, Role.AUDITOR: 1, Role.ADMIN: 2}
# PyJWT's exceptions, most specific first (several derive from each other) -> reason.
_REASONS: tuple[tuple[type[jwt.PyJWTError], str, str], ...] = (
    (jwt.ExpiredSignatureError, "token-expired", "the token has expired"),
    (jwt.ImmatureSignatureError, "token-not-yet-valid", "the token is not valid yet (nbf)"),
    (jwt.InvalidAudienceError, "wrong-audience", "the token is for another audience"),
    (jwt.InvalidIssuerError, "wrong-issuer", "the token's issuer is not trusted"),
    (jwt.InvalidAlgorithmError, "algorithm-not-allowed", "the token's algorithm is not allowed"),
    (jwt.InvalidSignatureError, "bad-signature", "the token's signature does not verify"),
    (jwt.MissingRequiredClaimError, "missing-claim", "the token lacks a required claim"),
)


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated parts: the shape of a JWS compact token (not a `tgk_` token)."""
    return token.count(".") == 2


class OidcAuth:
    """`Authorization: Bearer <Entra ID access token>` checked against `config`."""

    enabled = True

    def __init__(
        self, config: OidcConfig, *, fetch: FetchJson = http_json, keys: JwksCache | None = None
    ) -> None:
        self.config = config
        self.keys = keys or JwksCache(fetch)
        self.roles = config.role_map()

    def authenticate(self, authorization: str | None) -> Viewer | None:
        if not authorization:
            return None
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not looks_like_jwt(token):
            return None
        return self.viewer(self.claims(token))

    def claims(self, token: str) -> dict[str, Any]:
        """The claims of a token that passes checks 1-5 (module docstring); `AuthRefused`
        (or `KeysUnavailable`) otherwise."""
        cfg = self.config
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise AuthRefused("malformed-token", "the token is not a readable JWT") from None
        alg, kid, issuer = header.get("alg"), header.get("kid"), unverified.get("iss")
        if alg not in cfg.algorithms:
            raise AuthRefused(
                "algorithm-not-allowed", f"the token's algorithm `{alg}` is not allowed"
            )
        if not isinstance(kid, str):
            raise AuthRefused("unknown-key", "the token names no signing key (kid)")
        if issuer not in cfg.issuers:
            raise AuthRefused("wrong-issuer", "the token's issuer is not trusted")
        url = cfg.jwks_url or self.keys.jwks_uri(issuer)
        key = self.keys.key(url, kid)
        if key.alg not in (alg, None):
            raise AuthRefused(
                "algorithm-not-allowed", "the token's algorithm does not match its key"
            )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=list(cfg.audiences),
                issuer=issuer,
                leeway=cfg.clock_skew_s,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise _refusal(exc) from None
        if cfg.tenants and claims.get("tid") not in cfg.tenants:
            raise AuthRefused(
                "wrong-tenant", "the token was issued for a tenant that is not trusted"
            )
        return claims

    def viewer(self, claims: dict[str, Any]) -> Viewer:
        """The role and tenant scope the claims grant (check 6)."""
        values = [*_strings(claims.get("roles")), *_strings(claims.get("groups"))]
        granted = [self.roles[v] for v in values if v in self.roles]
        if not granted:
            raise AuthRefused(
                "no-role",
                "the token is valid but grants no tenantgraph role (app role or group)",
                status=403,
            )
        role = max(granted, key=_RANK.__getitem__)
        tenants = set(self._tenants(claims, values))
        subject = claims.get("oid") or claims.get("sub") or "unknown"
        return Viewer(
            role=role, tenants=frozenset(tenants) if tenants else None, token_id=f"entra:{subject}"
        )

    def _tenants(self, claims: dict[str, Any], values: list[str]) -> Iterable[str]:
        prefix = self.config.tenant_role_prefix
        if prefix:
            yield from (v[len(prefix) :] for v in values if v.startswith(prefix) and v != prefix)
        if self.config.tenant_claim:
            yield from _strings(claims.get(self.config.tenant_claim))


def _strings(value: object) -> list[str]:
    """A claim as a list of strings (a single string claim counts as one)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _refusal(exc: jwt.PyJWTError) -> AuthRefused:
    for kind, reason, message in _REASONS:
        if isinstance(exc, kind):
            return AuthRefused(reason, message)
    return AuthRefused("invalid-token", "the token is not valid")
