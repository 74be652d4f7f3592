"""Entra ID access tokens against a live server and a local issuer (keys made in the test).

The server accepts static `tgk_` tokens and the issuer's JWTs at once (`BearerAuth`). Each bad
token gets its status and `extensions.reason`; scoped Entra tokens answer exactly what the
scoped static token answers (the scope tests of `test_auth` run with both).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from api.auth import Role, TokenAuth, TokenStore
from api.bearer import BearerAuth
from api.jwks import JwksCache
from api.oidc import OidcAuth
from api.oidc_config import OidcConfig
from tests.api.support import Client, LiveServer, Tokens, seed
from tests.api.test_auth import OTHER_TENANT_REF, SCOPED_QUERIES
from tests.support.oidc_issuer import Issuer, SigningKey, b64url

VIEWER = "{ viewer { role tenants authenticated } }"
GROUP_AUDITORS = "6f1b7c55-0000-4000-8000-0000000000a1"


def config(issuer: Issuer, **changes: Any) -> OidcConfig:
    settings: dict[str, Any] = {
        "issuers": (issuer.issuer,),
        "audiences": ("api://tenantgraph", "9d0f3c1e-1111-4222-8333-444455556666"),
        "tenants": (issuer.tid,),
        "roles": {
            "TenantGraph.Reader": "reader",
            "TenantGraph.Admin": "admin",
            GROUP_AUDITORS: "auditor",
        },
        **changes,
    }
    return OidcConfig(**settings)


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    started = Issuer().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def served(
    issuer: Issuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, Tokens, OidcAuth]]:
    root = tmp_path_factory.mktemp("oidc")
    seed(root / "oidc.db")
    tokens = Tokens.create(root / "tokens.sqlite")
    oidc = OidcAuth(config(issuer))
    server = LiveServer(
        root / "oidc.db", BearerAuth(TokenAuth(TokenStore(root / "tokens.sqlite")), oidc)
    )
    yield server.start(), tokens, oidc
    server.stop()


def entra(server: LiveServer, token: str) -> Client:
    return server.client(token)


def refusal(server: LiveServer, token: str) -> tuple[int, str | None, str | None]:
    response = server.client(token).post(VIEWER)
    error = response.json()["errors"][0]
    return response.status_code, error["extensions"]["code"], error["extensions"].get("reason")


def test_each_role_and_group_maps_to_a_viewer(
    served: tuple[LiveServer, Tokens, OidcAuth], issuer: Issuer
) -> None:
    server, _, _ = served
    cases = [
        ({"roles": ["TenantGraph.Reader"]}, "READER"),
        ({"roles": ["TenantGraph.Admin", "TenantGraph.Reader"]}, "ADMIN"),  # the highest wins
        ({"groups": [GROUP_AUDITORS]}, "AUDITOR"),
        ({"roles": ["TenantGraph.Reader"], "groups": [GROUP_AUDITORS]}, "AUDITOR"),
        (
            {"roles": ["TenantGraph.Reader"], "aud": "9d0f3c1e-1111-4222-8333-444455556666"},
            "READER",
        ),
    ]
    for claims, role in cases:
        viewer = entra(server, issuer.token(claims)).data(VIEWER)["viewer"]
        assert viewer == {"role": role, "tenants": None, "authenticated": True}, claims


def test_only_admin_tokens_mutate(
    served: tuple[LiveServer, Tokens, OidcAuth], issuer: Issuer
) -> None:
    server, _, _ = served
    mutation = (
        'mutation { removeGroupMember(group: "contoso/nobody", member: "x") { group { ref } } }'
    )
    reader = entra(server, issuer.token({"roles": ["TenantGraph.Reader"]}))
    assert reader.post(mutation).status_code == 403
    admin = entra(server, issuer.token({"roles": ["TenantGraph.Admin"]}))
    assert admin.codes(mutation) != ["forbidden"]  # refused for the unknown group, not the role


def test_static_tokens_keep_working_next_to_entra(
    served: tuple[LiveServer, Tokens, OidcAuth],
) -> None:
    server, tokens, _ = served
    assert server.client(tokens.auditor).data(VIEWER)["viewer"]["role"] == "AUDITOR"
    assert server.client(tokens.contoso_reader).data(VIEWER)["viewer"]["tenants"] == ["contoso"]


def test_bad_tokens_get_their_status_and_reason(
    served: tuple[LiveServer, Tokens, OidcAuth], issuer: Issuer
) -> None:
    server, _, _ = served
    role = {"roles": ["TenantGraph.Reader"]}
    now = int(datetime.now(UTC).timestamp())
    stranger = SigningKey("key-1")  # the issuer's kid, another private key
    good = issuer.token(role)
    head, body, signature = good.split(".")
    raw = jwt.utils.base64url_decode(signature)
    flipped = b64url(bytes([raw[0] ^ 1]) + raw[1:])
    unsigned_header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": "key-1"}).encode())
    # HS256 "signed" with the issuer's public key: the classic key-confusion forgery
    public_pem = (
        issuer.keys[0]
        .private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    hs_header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "key-1"}).encode())
    mac = hmac.new(public_pem, f"{hs_header}.{body}".encode(), hashlib.sha256).digest()
    forged_claims = {
        **jwt.decode(good, options={"verify_signature": False}),
        "roles": ["TenantGraph.Admin"],
    }
    forged_body = b64url(json.dumps(forged_claims).encode())
    cases = {
        "expired": (
            issuer.token({**role, "exp": now - 600}),
            401,
            "unauthenticated",
            "token-expired",
        ),
        "not yet valid": (
            issuer.token({**role, "nbf": now + 600}),
            401,
            "unauthenticated",
            "token-not-yet-valid",
        ),
        "wrong audience": (
            issuer.token({**role, "aud": "api://another-app"}),
            401,
            "unauthenticated",
            "wrong-audience",
        ),
        "wrong issuer": (
            issuer.token({**role, "iss": "https://login.microsoftonline.com/other/v2.0"}),
            401,
            "unauthenticated",
            "wrong-issuer",
        ),
        "wrong tenant": (
            issuer.token({**role, "tid": "99999999-0000-0000-0000-000000000000"}),
            401,
            "unauthenticated",
            "wrong-tenant",
        ),
        "alg none": (f"{unsigned_header}.{body}.", 401, "unauthenticated", "algorithm-not-allowed"),
        "HS256 with the public key": (
            f"{hs_header}.{body}.{b64url(mac)}",
            401,
            "unauthenticated",
            "algorithm-not-allowed",
        ),
        "tampered signature": (f"{head}.{body}.{flipped}", 401, "unauthenticated", "bad-signature"),
        "tampered claims": (
            f"{head}.{forged_body}.{signature}",
            401,
            "unauthenticated",
            "bad-signature",
        ),
        "another key, same kid": (
            issuer.token(role, key=stranger),
            401,
            "unauthenticated",
            "bad-signature",
        ),
        "no exp": (issuer.token({**role, "exp": None}), 401, "unauthenticated", "missing-claim"),
        "not a JWT inside": (
            "eyJub3QiOiJqc29uIg.e30.c2ln",
            401,
            "unauthenticated",
            "malformed-token",
        ),
        "no role": (issuer.token({"roles": ["Something.Else"]}), 403, "forbidden", "no-role"),
    }
    for name, (token, status, code, reason) in cases.items():
        assert refusal(server, token) == (status, code, reason), name
    # every refusal happened before anything was read: the signed one still works
    assert entra(server, good).data(VIEWER)["viewer"]["role"] == "READER"


def test_an_unknown_key_is_fetched_once_then_refused(
    served: tuple[LiveServer, Tokens, OidcAuth], issuer: Issuer
) -> None:
    server, _, oidc = served
    entra(server, issuer.token({"roles": ["TenantGraph.Reader"]})).data(VIEWER)  # keys cached
    before = issuer.jwks_reads
    unknown = SigningKey("key-nobody-published")
    token = issuer.token({"roles": ["TenantGraph.Reader"]}, key=unknown)
    assert refusal(server, token) == (401, "unauthenticated", "unknown-key")
    assert issuer.jwks_reads == before + 1  # refetched once
    assert refusal(server, token) == (401, "unauthenticated", "unknown-key")
    assert issuer.jwks_reads == before + 1  # and not again within the cooldown
    assert oidc.keys.fetches >= 1


def test_a_rolled_over_key_is_picked_up(issuer: Issuer, tmp_path: Path) -> None:
    """Entra publishes a new key before signing with it: the refetch on its `kid` finds it."""
    seed(tmp_path / "roll.db")
    oidc = OidcAuth(config(issuer), keys=JwksCache(refetch_cooldown_s=0))
    server = LiveServer(
        tmp_path / "roll.db", BearerAuth(TokenAuth(TokenStore(tmp_path / "t.sqlite")), oidc)
    ).start()
    new = SigningKey("key-2")
    try:
        assert entra(server, issuer.token({"roles": ["TenantGraph.Reader"]})).data(VIEWER)
        issuer.keys.append(new)
        token = issuer.token({"roles": ["TenantGraph.Admin"]}, key=new)
        assert entra(server, token).data(VIEWER)["viewer"]["role"] == "ADMIN"
    finally:
        issuer.keys.remove(new)
        server.stop()


def test_unreachable_keys_are_503_not_401(issuer: Issuer, tmp_path: Path) -> None:
    seed(tmp_path / "down.db")
    dead = config(issuer, jwks_url="http://127.0.0.1:9/keys")  # discard port: nothing listens
    auth = BearerAuth(TokenAuth(TokenStore(tmp_path / "t.sqlite")), OidcAuth(dead))
    server = LiveServer(tmp_path / "down.db", auth).start()
    try:
        response = entra(server, issuer.token({"roles": ["TenantGraph.Reader"]})).post(VIEWER)
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "identity-provider-unavailable"
    finally:
        server.stop()


def test_an_expired_static_token_is_refused_with_its_reason(
    served: tuple[LiveServer, Tokens, OidcAuth], tmp_path: Path
) -> None:
    server, _, _ = served
    store = server.auth.tokens.store  # type: ignore[attr-defined]
    _, old = store.create(
        Role.READER, name="old", expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    _, fresh = store.create(
        Role.READER, name="fresh", expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    assert refusal(server, old) == (401, "unauthenticated", "token-expired")
    assert server.client(fresh).data(VIEWER)["viewer"]["role"] == "READER"


# ---------------------------------------------------------------- tenant scope
def without_cursors(answer: Any) -> Any:
    if isinstance(answer, dict):
        return {
            k: without_cursors(v) for k, v in answer.items() if k not in ("cursor", "endCursor")
        }
    if isinstance(answer, list):
        return [without_cursors(v) for v in answer]
    return answer


@pytest.mark.parametrize("query", SCOPED_QUERIES)
def test_scoped_entra_token_answers_exactly_as_the_scoped_static_token(
    served: tuple[LiveServer, Tokens, OidcAuth], issuer: Issuer, query: str
) -> None:
    server, tokens, _ = served
    static = server.client(tokens.contoso_reader).post(query).json()
    token = issuer.token({"roles": ["TenantGraph.Reader", "TenantGraph.Tenant.contoso"]})
    scoped = entra(server, token).post(query).json()
    assert "errors" not in scoped, scoped
    assert without_cursors(scoped) == without_cursors(static)  # cursors are sealed afresh
    assert not OTHER_TENANT_REF.search(json.dumps(scoped))


def test_a_tenant_claim_scopes_like_a_role(issuer: Issuer, tmp_path: Path) -> None:
    seed(tmp_path / "claim.db")
    oidc = OidcAuth(config(issuer, tenant_claim="tenantgraph_tenants"))
    server = LiveServer(
        tmp_path / "claim.db", BearerAuth(TokenAuth(TokenStore(tmp_path / "t.sqlite")), oidc)
    ).start()
    try:
        token = issuer.token(
            {"roles": ["TenantGraph.Reader"], "tenantgraph_tenants": ["contoso", "fabrikam"]}
        )
        viewer = entra(server, token).data(VIEWER)["viewer"]
        assert viewer == {
            "role": "READER",
            "tenants": ["contoso", "fabrikam"],
            "authenticated": True,
        }
        users = entra(server, token).data(
            '{ a: user(ref: "fabrikam/frank") { ref } b: user(ref: "litware/lena") { ref } }'
        )
        assert users == {"a": {"ref": "fabrikam/frank"}, "b": None}
    finally:
        server.stop()
