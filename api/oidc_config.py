"""How `serve` is told to accept Entra ID access tokens: the `--oidc-*` settings.

Each setting is a flag, a `TENANTGRAPH_OIDC_*` variable or a key of the `[oidc]` table of the
config file (`api.settings`: flag > variable > file > default). Sign-in is on when at least one
issuer is known: `--oidc-tenant TID` trusts the Entra ID v2.0 issuer of that tenant,
`https://login.microsoftonline.com/{tid}/v2.0` (`--oidc-authority` for a national cloud), and
requires the token's `tid` to be one of the tenants; `--oidc-issuer URL` names an issuer
exactly (a v1.0 issuer `https://sts.windows.net/{tid}/`, another OIDC provider). The
audience is required: the API's application (client) id and/or its App ID URI (`aud`). The
formats are those of the access token claims reference,
https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference.

Roles come from the `roles` claim (app roles assigned to the user or granted to the calling
app) and the `groups` claim (group object ids): `--oidc-role VALUE=reader|auditor|admin`;
without any, the app roles `TenantGraph.Reader`, `TenantGraph.Auditor`, `TenantGraph.Admin`.
Tenant scope, optional: app roles `TenantGraph.Tenant.<name>` (`--oidc-tenant-role-prefix`)
and/or the values of one claim (`--oidc-tenant-claim`).
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from api.auth import Role
from api.settings import Setting, resolve
from graphmodel.errors import GraphModelError

__all__ = [
    "ALGORITHMS",
    "DEFAULT_ROLES",
    "OIDC_SETTINGS",
    "OidcConfig",
    "add_oidc_arguments",
    "oidc_config",
]

ENTRA_AUTHORITY = "https://login.microsoftonline.com"
# Asymmetric algorithms only: a symmetric one (HS256) would let anyone holding the public key
# sign tokens, and `none` signs nothing. Entra ID signs with RS256.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
DEFAULT_ROLES: dict[str, Role] = {
    "TenantGraph.Reader": Role.READER,
    "TenantGraph.Auditor": Role.AUDITOR,
    "TenantGraph.Admin": Role.ADMIN,
}
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _algorithm(text: str) -> str:
    if text not in ALGORITHMS:
        raise ValueError(f"`{text}` is not an allowed algorithm ({', '.join(ALGORITHMS)})")
    return text


def _role_pair(text: str) -> str:
    value, sep, role = text.rpartition("=")
    if not sep or not value or role not in {r.value for r in Role}:
        raise ValueError(f"`{text}` is not VALUE=reader|auditor|admin")
    return text


OIDC_SETTINGS: tuple[Setting, ...] = (
    Setting("oidc_tenant", "TENANTGRAPH_OIDC_TENANTS", ("oidc", "tenants"), many=True),
    Setting("oidc_issuer", "TENANTGRAPH_OIDC_ISSUERS", ("oidc", "issuers"), many=True),
    Setting("oidc_audience", "TENANTGRAPH_OIDC_AUDIENCES", ("oidc", "audiences"), many=True),
    Setting(
        "oidc_authority",
        "TENANTGRAPH_OIDC_AUTHORITY",
        ("oidc", "authority"),
        default=ENTRA_AUTHORITY,
    ),
    Setting("oidc_jwks_url", "TENANTGRAPH_OIDC_JWKS_URL", ("oidc", "jwks_url")),
    Setting("oidc_role", "TENANTGRAPH_OIDC_ROLES", ("oidc", "roles"), _role_pair, many=True),
    Setting("oidc_tenant_claim", "TENANTGRAPH_OIDC_TENANT_CLAIM", ("oidc", "tenant_claim")),
    Setting(
        "oidc_tenant_role_prefix",
        "TENANTGRAPH_OIDC_TENANT_ROLE_PREFIX",
        ("oidc", "tenant_role_prefix"),
        default="TenantGraph.Tenant.",
    ),
    Setting(
        "oidc_algorithm",
        "TENANTGRAPH_OIDC_ALGORITHMS",
        ("oidc", "algorithms"),
        _algorithm,
        many=True,
        default=("RS256",),
    ),
    Setting(
        "oidc_clock_skew",
        "TENANTGRAPH_OIDC_CLOCK_SKEW",
        ("oidc", "clock_skew"),
        float,
        default=60.0,
    ),
    Setting("oidc_client_id", "TENANTGRAPH_OIDC_CLIENT_ID", ("oidc", "client_id")),
    Setting("oidc_scope", "TENANTGRAPH_OIDC_SCOPES", ("oidc", "scopes"), many=True),
)


def add_oidc_arguments(parser: argparse.ArgumentParser) -> None:
    """The `--oidc-*` flags (docs/deploy.md); every default comes from `OIDC_SETTINGS`."""
    g = parser.add_argument_group(
        "Entra ID sign-in (flag > TENANTGRAPH_OIDC_* variable > [oidc] in --config)"
    )
    many: dict[str, Any] = {"action": "append", "default": None}
    g.add_argument(
        "--oidc-tenant",
        metavar="TID",
        **many,
        help="trust this Entra tenant's v2.0 issuer (repeat)",
    )
    g.add_argument(
        "--oidc-issuer", metavar="URL", **many, help="trust this issuer exactly (repeat)"
    )
    g.add_argument(
        "--oidc-audience", metavar="AUD", **many, help="the API's client id or App ID URI (repeat)"
    )
    g.add_argument(
        "--oidc-authority", metavar="URL", help=f"login host of --oidc-tenant ({ENTRA_AUTHORITY})"
    )
    g.add_argument(
        "--oidc-jwks-url",
        metavar="URL",
        help="signing keys URL (default: from the issuer's OpenID configuration)",
    )
    g.add_argument(
        "--oidc-role",
        metavar="VALUE=ROLE",
        type=_role_pair,
        **many,
        help="app role value or group id -> reader|auditor|admin (repeat)",
    )
    g.add_argument(
        "--oidc-tenant-claim",
        metavar="CLAIM",
        help="claim whose values scope the viewer to tenants",
    )
    g.add_argument(
        "--oidc-tenant-role-prefix",
        metavar="PREFIX",
        help="app roles PREFIX<tenant> scope the viewer (TenantGraph.Tenant.)",
    )
    g.add_argument(
        "--oidc-algorithm",
        metavar="ALG",
        type=_algorithm,
        **many,
        help="allowed signing algorithm (repeat; RS256)",
    )
    g.add_argument(
        "--oidc-clock-skew",
        metavar="S",
        type=float,
        help="seconds of clock skew allowed on exp/nbf (60)",
    )
    g.add_argument(
        "--oidc-client-id",
        metavar="ID",
        help="the viewer's (SPA) client id: the page signs in with Entra ID",
    )
    g.add_argument(
        "--oidc-scope",
        metavar="SCOPE",
        **many,
        help="scope the viewer asks for (repeat; <first audience>/.default)",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class OidcConfig:
    """Validated sign-in settings; plain data, so `serve` hands it to its workers as JSON."""

    issuers: tuple[str, ...]
    audiences: tuple[str, ...]
    tenants: tuple[str, ...] = ()
    jwks_url: str | None = None
    roles: dict[str, str] = field(
        default_factory=lambda: {k: v.value for k, v in DEFAULT_ROLES.items()}
    )
    tenant_claim: str | None = None
    tenant_role_prefix: str | None = "TenantGraph.Tenant."
    algorithms: tuple[str, ...] = ("RS256",)
    clock_skew_s: float = 60.0
    authority: str = ENTRA_AUTHORITY
    client_id: str | None = None
    scopes: tuple[str, ...] = ()

    def role_map(self) -> dict[str, Role]:
        return {value: Role(role) for value, role in self.roles.items()}

    @property
    def viewer_scopes(self) -> tuple[str, ...]:
        """What the viewer page asks for: the configured scopes, else the API's `.default`."""
        return self.scopes or (f"{self.audiences[0].rstrip('/')}/.default",)

    def to_json(self) -> dict[str, Any]:
        return {
            "issuers": list(self.issuers),
            "audiences": list(self.audiences),
            "tenants": list(self.tenants),
            "jwks_url": self.jwks_url,
            "roles": dict(self.roles),
            "tenant_claim": self.tenant_claim,
            "tenant_role_prefix": self.tenant_role_prefix,
            "algorithms": list(self.algorithms),
            "clock_skew_s": self.clock_skew_s,
            "authority": self.authority,
            "client_id": self.client_id,
            "scopes": list(self.scopes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> OidcConfig:
        tuples = {"issuers", "audiences", "tenants", "algorithms", "scopes"}
        fields: dict[str, Any] = {k: tuple(v) if k in tuples else v for k, v in data.items()}
        return cls(**fields)


def _checked_url(url: str, what: str) -> str:
    """HTTPS, or HTTP on loopback only (a test issuer): keys fetched in the clear from another
    host could be swapped by anyone on the path."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return url
    raise GraphModelError(f"{what} `{url}` must be an https:// URL")


def oidc_config(
    args: argparse.Namespace, environ: Mapping[str, str], file: Mapping[str, Any]
) -> OidcConfig | None:
    """The sign-in settings the flags, variables and config file give; None when no issuer is
    configured (static tokens only). Raises `GraphModelError` for an incomplete setup."""
    v = resolve(OIDC_SETTINGS, args, environ, file)
    authority = _checked_url(str(v["oidc_authority"]).rstrip("/"), "--oidc-authority")
    tenants = tuple(v["oidc_tenant"])
    issuers = tuple(v["oidc_issuer"]) or tuple(f"{authority}/{t}/v2.0" for t in tenants)
    if not issuers:
        if v["oidc_audience"] or v["oidc_client_id"]:
            raise GraphModelError(
                "Entra ID sign-in needs `--oidc-tenant TID` or `--oidc-issuer URL`"
            )
        return None
    for issuer in issuers:
        _checked_url(issuer, "--oidc-issuer")
    if not v["oidc_audience"]:
        raise GraphModelError(
            "Entra ID sign-in needs `--oidc-audience` (the API's client id or App ID URI)"
        )
    if v["oidc_jwks_url"]:
        _checked_url(v["oidc_jwks_url"], "--oidc-jwks-url")
    roles = dict(text.rpartition("=")[::2] for text in v["oidc_role"])
    return OidcConfig(
        issuers=issuers,
        audiences=tuple(v["oidc_audience"]),
        tenants=tenants,
        jwks_url=v["oidc_jwks_url"],
        roles=roles or {k: r.value for k, r in DEFAULT_ROLES.items()},
        tenant_claim=v["oidc_tenant_claim"],
        tenant_role_prefix=v["oidc_tenant_role_prefix"] or None,
        algorithms=tuple(v["oidc_algorithm"]),
        clock_skew_s=float(v["oidc_clock_skew"]),
        authority=authority,
        client_id=v["oidc_client_id"],
        scopes=tuple(v["oidc_scope"]),
    )
