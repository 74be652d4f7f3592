"""What the viewer page needs to sign people in with Entra ID: `GET /signin.json`.

Why a route: the page is static (`api/static`), but its MSAL.js configuration — the SPA's
client id, the authority, the scopes — is the server's (`--oidc-client-id`, `--oidc-tenant`,
`--oidc-scope`). The page reads it at start; `{"enabled": false}` keeps the token prompt. The
page signs in with the authorization code flow with PKCE (MSAL.js from the npm package, served
from `/vendor/`), so its CSP must let it reach the authority's host: `connect-src` for the
OpenID configuration and the token endpoint, `frame-src` for MSAL's silent renewal
(`authority_origin`). MSAL is told the authority is known (`knownAuthorities`), so it never
asks Microsoft's instance discovery about it: no other host is contacted.
See https://learn.microsoft.com/entra/identity-platform/scenario-spa-app-configuration.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.oidc_config import OidcConfig

__all__ = ["authority_of", "authority_origin", "signin_route"]


def authority_of(config: OidcConfig) -> str:
    """The MSAL authority: the first issuer without its `/v2.0` (MSAL appends
    `/v2.0/.well-known/openid-configuration`), else `{authority}/{tenant}` (a v1.0 issuer)."""
    first = config.issuers[0].removesuffix("/")
    if first.endswith("/v2.0") or not config.tenants:
        return first.removesuffix("/v2.0")
    return f"{config.authority}/{config.tenants[0]}"


def authority_origin(config: OidcConfig | None) -> str | None:
    """`scheme://host[:port]` the page talks to when signing in (None: no viewer sign-in)."""
    if config is None or not config.client_id:
        return None
    parts = urlsplit(authority_of(config))
    return f"{parts.scheme}://{parts.netloc}"


def signin_route(config: OidcConfig | None) -> Route:
    """`GET /signin.json`: the page's MSAL configuration, or `{"enabled": false}`."""
    if config is None or not config.client_id:
        body: dict[str, object] = {"enabled": False}
    else:
        authority = authority_of(config)
        body = {
            "enabled": True,
            "clientId": config.client_id,
            "authority": authority,
            "knownAuthorities": [urlsplit(authority).netloc],
            "scopes": list(config.viewer_scopes),
        }

    async def signin(request: Request) -> Response:
        return JSONResponse(body, headers={"Cache-Control": "no-cache"})

    return Route("/signin.json", signin, methods=["GET"])
