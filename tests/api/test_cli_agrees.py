"""The CLI's `--json` answers equal the API's: same field names, same enum spelling.

`tenantgraph check --json` prints what `access` returns to an unscoped viewer, and
`tenantgraph trust --json` the edges of `trustGraph`, read from the same store file.
"""

from __future__ import annotations

import json

import pytest

from graphmodel.cli import main
from tests.api.support import Client, LiveServer, Tokens

VERDICT = """query($p: String!, $r: String!) { access(principal: $p, resource: $r) {
  principal { ref } resource { ref } via decision mfa partial codes
  paths { via nodes hops { source target kind rule policy sourceUrl } }
  reasons { code rule tenant policy message side inferred }
} }"""
TRUST = "{ trustGraph { edges { id kind source target rule policy scope sourceUrl } } }"


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    main(list(argv))
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("principal", "resource"),
    [
        ("fabrikam/bob", "contoso/wiki"),  # allow, cross-tenant, with MFA trust
        ("litware/lena", "contoso/wiki"),  # deny at the resource side
        ("fabrikam/dan", "contoso/wiki"),  # pending
        ("fabrikam/bob", "contoso/launch/partners"),  # a shared channel
    ],
)
def test_check_json_is_the_apis_verdict(
    shared: tuple[LiveServer, Tokens],
    admin: Client,
    capsys: pytest.CaptureFixture[str],
    principal: str,
    resource: str,
) -> None:
    server, _ = shared
    api = admin.data(VERDICT, {"p": principal, "r": resource})["access"]
    cli = cli_json(capsys, "--db", str(server.db), "check", principal, resource, "--json")
    assert cli == api


def test_trust_json_is_the_apis_trust_graph(
    shared: tuple[LiveServer, Tokens], admin: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    server, _ = shared
    api = admin.data(TRUST)["trustGraph"]["edges"]
    cli = cli_json(capsys, "--db", str(server.db), "trust", "--json")
    assert cli == api and api
