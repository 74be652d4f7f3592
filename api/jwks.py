"""The signing keys of an OIDC issuer (its JWKS), fetched over HTTPS and cached per process.

Why a cache with a forced refresh: Entra ID signs access tokens with keys it publishes at the
`jwks_uri` of its OpenID configuration and rolls them over from time to time; a new key is
published before it is used. So keys are read once and kept for `max_age_s`, and a token
naming a key id (`kid`) not in the cache triggers one refetch — at most one per
`refetch_cooldown_s`, so a flood of tokens with made-up key ids cannot turn the server into a
JWKS fetcher — after which an unknown `kid` is refused. See "Validate the signature" in
https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-tokens and
https://learn.microsoft.com/entra/identity-platform/signing-key-rollover.

Where the keys live: `{issuer}/.well-known/openid-configuration` names the `jwks_uri`
(Entra v2.0: `https://login.microsoftonline.com/{tid}/discovery/v2.0/keys`); an operator may
name it directly (`--oidc-jwks-url`). Fetches are blocking (httpx) and run in the request's
worker thread; one lock keeps concurrent requests from fetching the same document twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from api.auth import AuthRefused

__all__ = ["FetchJson", "JwksCache", "KeysUnavailable", "SigningKey", "http_json"]

log = logging.getLogger("tenantgraph.api.oidc")
FetchJson = Callable[[str], Any]
_TIMEOUT_S = 10.0


class KeysUnavailable(Exception):
    """The issuer's configuration or keys could not be read: the token may well be valid, so
    the answer is 503 (retry), not 401."""


def http_json(url: str) -> Any:
    """GET `url` and decode its JSON (trusting the system CAs, or `$SSL_CERT_FILE`)."""
    try:
        response = httpx.get(url, timeout=_TIMEOUT_S)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise KeysUnavailable(f"could not read {url}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A published key and the algorithm its JWK declares (None: not declared)."""

    key: Any
    alg: str | None


@dataclass
class _Keys:
    by_kid: dict[str, SigningKey] = field(default_factory=dict)
    fetched_at: float = -1e18
    forced_at: float = -1e18


class JwksCache:
    """Keys by `kid` for each JWKS URL (and the JWKS URL of each issuer, by discovery)."""

    def __init__(
        self,
        fetch: FetchJson = http_json,
        *,
        max_age_s: float = 6 * 3600.0,
        refetch_cooldown_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetch = fetch
        self.max_age_s = max_age_s
        self.refetch_cooldown_s = refetch_cooldown_s
        self.clock = clock
        self.fetches = 0  # JWKS documents read (tests and metrics look at it)
        self._keys: dict[str, _Keys] = {}
        self._jwks_uri: dict[str, str] = {}
        self._lock = threading.Lock()

    def jwks_uri(self, issuer: str) -> str:
        """The issuer's `jwks_uri`, from its OpenID configuration (read once)."""
        with self._lock:
            known = self._jwks_uri.get(issuer)
            if known is not None:
                return known
            document = self.fetch(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
            uri = document.get("jwks_uri") if isinstance(document, dict) else None
            if not isinstance(uri, str) or not uri:
                raise KeysUnavailable(f"the OpenID configuration of {issuer} has no jwks_uri")
            self._jwks_uri[issuer] = uri
            return uri

    def key(self, url: str, kid: str) -> SigningKey:
        """The key `kid` of the JWKS at `url`; `AuthRefused("unknown-key")` when the issuer
        does not publish it, even after one refetch."""
        with self._lock:
            keys = self._keys.setdefault(url, _Keys())
            now = self.clock()
            if now - keys.fetched_at > self.max_age_s:
                self._refetch(url, keys, now)
            elif kid not in keys.by_kid and now - keys.forced_at >= self.refetch_cooldown_s:
                keys.forced_at = now
                self._refetch(url, keys, now)
            found = keys.by_kid.get(kid)
        if found is None:
            raise AuthRefused(
                "unknown-key", "the token is signed with a key the issuer does not publish"
            )
        return found

    def _refetch(self, url: str, keys: _Keys, now: float) -> None:
        """Read the key set again; when that fails but keys are held, keep them (and retry
        after the cooldown): an identity provider blip must not lock everyone out."""
        try:
            self._read(url, keys, now)
        except KeysUnavailable as exc:
            if not keys.by_kid:
                raise
            log.warning("keeping the signing keys held for %s: %s", url, exc)
            keys.fetched_at = now - self.max_age_s + self.refetch_cooldown_s

    def _read(self, url: str, keys: _Keys, now: float) -> None:
        self.fetches += 1
        document = self.fetch(url)
        found = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(found, list):
            raise KeysUnavailable(f"{url} is not a JSON Web Key Set")
        by_kid: dict[str, SigningKey] = {}
        for entry in found:
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            kid, alg = entry.get("kid"), entry.get("alg")
            try:
                key = jwt.PyJWK(entry).key
            except jwt.PyJWTError:  # a key type this install cannot use: skip it, not the set
                continue
            if isinstance(kid, str):
                by_kid[kid] = SigningKey(key, alg if isinstance(alg, str) else None)
        keys.by_kid, keys.fetched_at = by_kid, now
