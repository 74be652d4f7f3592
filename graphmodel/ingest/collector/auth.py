"""Access tokens for Microsoft Graph with an app registration (client credentials), via MSAL.

MSAL (Microsoft's own library) does the OAuth work: discovery, client assertions signed with a
certificate, token caching. Its HTTP goes through httpx like the rest of the collector, so a
single TLS setting (`verify`) covers both, and a test can point the authority at a loopback
server (MSAL accepts only https authorities, so the fake server speaks TLS with a test CA).
The collector only needs `TokenProvider`, so any other source of tokens can be plugged in.
"""

from __future__ import annotations

import re
import ssl
from pathlib import Path
from typing import Any, Protocol

import httpx
import msal

from graphmodel.ingest.collector.errors import AuthFailed

__all__ = [
    "DEFAULT_AUTHORITY_HOST",
    "MsalTokenProvider",
    "TokenProvider",
    "load_certificate",
]

DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"
_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)


class TokenProvider(Protocol):
    """Hands out bearer tokens for Graph; `force_refresh` bypasses any cached token."""

    def token(self, *, force_refresh: bool = False) -> str: ...


def load_certificate(path: Path) -> dict[str, str]:
    """A PEM file holding the private key and the certificate -> MSAL's credential dict."""
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthFailed(f"cannot read the certificate file `{path}`: {exc}") from exc
    blocks = {m.group(1): m.group(0) for m in _PEM_BLOCK.finditer(text)}
    key = next((v for k, v in blocks.items() if k.endswith("PRIVATE KEY")), None)
    cert = blocks.get("CERTIFICATE")
    if key is None or cert is None:
        raise AuthFailed(f"`{path}` must hold both the private key and the certificate in PEM")
    if "ENCRYPTED" in key:
        raise AuthFailed(f"the private key in `{path}` is encrypted; export it without a password")
    return {"private_key": key, "public_certificate": cert}


class _HttpxForMsal:
    """The small `requests`-like surface MSAL calls, implemented with httpx."""

    def __init__(self, client: httpx.Client) -> None:
        self._client = client

    def get(self, url: str, params: Any = None, headers: Any = None, **_kw: Any) -> httpx.Response:
        return self._client.get(url, params=params, headers=headers)

    def post(
        self, url: str, params: Any = None, data: Any = None, headers: Any = None, **_kw: Any
    ) -> httpx.Response:
        if isinstance(data, dict):  # MSAL passes the signed client assertion as bytes, which
            # requests form-encodes as text but httpx would send as "b'...'"
            data = {k: v.decode() if isinstance(v, bytes) else v for k, v in data.items()}
        return self._client.post(url, params=params, data=data, headers=headers)

    def close(self) -> None:
        self._client.close()


class MsalTokenProvider:
    """Client-credentials tokens for one tenant, from a client secret or a certificate."""

    def __init__(
        self,
        tenant_id: str,
        client_id: str,
        credential: str | dict[str, str],
        *,
        authority_host: str = DEFAULT_AUTHORITY_HOST,
        scope: str = "https://graph.microsoft.com/.default",
        verify: ssl.SSLContext | str | bool = True,
        timeout: float = 30.0,
    ) -> None:
        self._scopes = [scope]
        custom = authority_host.rstrip("/").lower() != DEFAULT_AUTHORITY_HOST
        self._http = _HttpxForMsal(httpx.Client(verify=verify, timeout=timeout))
        try:
            self._app = msal.ConfidentialClientApplication(
                client_id,
                client_credential=credential,
                authority=f"{authority_host.rstrip('/')}/{tenant_id}",
                http_client=self._http,
                # a national cloud or test authority: no instance discovery at Microsoft
                instance_discovery=False if custom else None,
                validate_authority=not custom,
            )
        except (ValueError, httpx.HTTPError) as exc:
            raise AuthFailed(f"cannot use authority `{authority_host}` for tenant "
                             f"`{tenant_id}`: {exc}") from exc

    def token(self, *, force_refresh: bool = False) -> str:
        if force_refresh:
            cache = self._app.token_cache
            for item in list(cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                cache.remove_at(item)
        try:
            result = self._app.acquire_token_for_client(scopes=self._scopes)
        except httpx.HTTPError as exc:
            raise AuthFailed(f"cannot reach the sign-in service: {exc}") from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(token, str):
            error = result.get("error", "unknown_error") if isinstance(result, dict) else "?"
            detail = str(result.get("error_description", "")) if isinstance(result, dict) else ""
            first = detail.splitlines()[0] if detail else "no description"
            raise AuthFailed(f"the sign-in service refused the app credentials (`{error}`): "
                             f"{first}")
        return token

    def close(self) -> None:
        self._http.close()
