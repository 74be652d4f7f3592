"""`search` against a live server over the test world: kinds, paging, scope and bad input.

Expected answers come from the directory lists of the same server (never literals), so the test
follows the test world when it changes.
"""

from __future__ import annotations

from typing import Any

from tests.api.support import Client, LiveServer, Tokens

SEARCH = """query($q: String!, $kinds: [SearchKind!], $first: Int!, $after: String) {
  search(query: $q, kinds: $kinds, first: $first, after: $after) {
    nodes { kind ref tenant name detail home }
    pageInfo { hasNextPage endCursor } totalCount } }"""


def every_hit(client: Client, q: str, first: int = 2, **more: Any) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    after = None
    while True:
        page = client.data(SEARCH, {"q": q, "first": first, "after": after, **more})["search"]
        hits += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return hits
        after = page["pageInfo"]["endCursor"]


def test_every_channel_is_found_by_its_name(admin: Client) -> None:
    channels = admin.data("{ channels(first: 500) { nodes { ref name } } }")["channels"]["nodes"]
    assert channels
    for c in channels:
        found = every_hit(admin, c["name"], kinds=["CHANNEL"])
        assert c["ref"] in {h["ref"] for h in found}, c


def test_users_by_upn_and_guests_name_their_home(admin: Client) -> None:
    users = admin.data(
        "{ users(first: 500) { nodes { ref userPrincipalName guestOf syncedFrom } } }"
    )["users"]["nodes"]
    for u in users:
        hits = every_hit(admin, u["userPrincipalName"].upper(), first=50, kinds=["USER"])
        hit = next(h for h in hits if h["ref"] == u["ref"])
        assert hit["home"] == (u["guestOf"] or u["syncedFrom"])


def test_pages_concatenate_to_the_whole_answer_tenants_first(admin: Client) -> None:
    whole = admin.data(SEARCH, {"q": "o", "first": 500, "after": None})["search"]
    paged = every_hit(admin, "o", first=3)
    assert paged == whole["nodes"] and len(paged) == whole["totalCount"] > 3
    order = ["TENANT", "USER", "GROUP", "APP", "CHANNEL"]
    ranks = [order.index(h["kind"]) for h in paged]
    assert ranks == sorted(ranks)
    tenants = admin.data("{ tenants { nodes { name tenantId domains } } }")["tenants"]["nodes"]
    assert {h["ref"] for h in paged if h["kind"] == "TENANT"} == {
        t["name"] for t in tenants if "o" in " ".join([t["name"], t["tenantId"], *t["domains"]])
    }


def test_scoped_token_finds_only_its_tenants(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    scoped = server.client(tokens.contoso_reader)
    hits = every_hit(scoped, "a", first=100)
    assert hits and {h["tenant"] for h in hits} == {"contoso"}


def test_empty_or_huge_query_is_invalid_input(admin: Client) -> None:
    for q in ("", "   ", "x" * 201):
        assert admin.codes(SEARCH, {"q": q, "first": 5, "after": None}) == ["invalid-input"]
