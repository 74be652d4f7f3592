"""The viewer signs in with Entra ID: MSAL.js, the authorization code flow with PKCE, against a
local OpenID provider (`tests/support/oidc_issuer.py`, HTTPS with a certificate made here).

The server runs with `--oidc-*` and authentication on, so the trust graph only draws if the page
got an access token from the provider and sent it. The provider checks the PKCE verifier
against the challenge; the test checks the authorization request the page built.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import TIMEOUT_MS, Server, running_server
from tests.support.oidc_issuer import Issuer, self_signed

pytestmark = pytest.mark.browser
CLIENT_ID = "5e1f7a36-0000-4000-8000-00000000c11e"


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issuer]:
    tls = self_signed(tmp_path_factory.mktemp("tls"))
    started = Issuer(tls=tls).start()
    started.token_for_code = lambda asked: started.token({"roles": ["TenantGraph.Reader"]})
    yield started
    started.stop()


@pytest.fixture(scope="module")
def signed_server(issuer: Issuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    assert issuer.tls is not None
    options = (
        "--oidc-issuer", issuer.issuer,
        "--oidc-tenant", issuer.tid,
        "--oidc-audience", "api://tenantgraph",
        "--oidc-client-id", CLIENT_ID,
    )  # fmt: skip
    db = tmp_path_factory.mktemp("signin") / "demo.db"
    # the server fetches the provider's keys over HTTPS: trust the test certificate
    with running_server(db, *options, env={"SSL_CERT_FILE": str(issuer.tls[0])}) as s:
        yield s


def test_the_viewer_signs_in_with_pkce_and_sends_the_access_token(
    browser: Any, signed_server: Server, issuer: Issuer
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, ignore_https_errors=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS * 3)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sent: list[str] = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.headers.get("authorization", ""))
            if r.url.endswith("/graphql") and r.method == "POST"
            else None
        ),
    )
    try:
        page.goto(signed_server.base + "/")
        page.wait_for_selector('[data-testid="graph"][data-rendered="true"]')
        assert not errors, errors

        [asked] = issuer.authorize_requests
        assert asked["client_id"] == CLIENT_ID
        assert asked["response_type"] == "code"
        assert asked["redirect_uri"] == f"{signed_server.base}/"
        assert asked["code_challenge_method"] == "S256"
        assert len(asked["code_challenge"]) == 43  # base64url of a SHA-256
        assert "api://tenantgraph/.default" in asked["scope"].split()
        assert asked["state"] and asked["nonce"]
        assert urlsplit(page.url).netloc == urlsplit(signed_server.base).netloc

        [token] = issuer.issued  # one code redeemed (the verifier matched the challenge)
        assert sent and all(h == f"Bearer {token}" for h in sent), sent[:3]
        assert "ada@contoso.example" in page.get_by_test_id("snapshot").inner_text()
        assert page.get_by_test_id("token-form").is_hidden()
    finally:
        context.close()


def test_without_sign_in_the_token_prompt_stays(browser: Any, server: Server) -> None:
    """The `--no-auth` demo server: `/signin.json` says no, and MSAL.js is never loaded."""
    context = browser.new_context()
    page = context.new_page()
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(urlsplit(r.url).path))
    try:
        page.goto(server.base + "/")
        page.wait_for_selector('[data-testid="graph"][data-rendered="true"]', timeout=TIMEOUT_MS)
        assert "/signin.json" in loaded
        assert "/vendor/msal-browser.min.js" not in loaded
    finally:
        context.close()
