"""One front door for both GraphQL paths (issue 29): a hostile request gets the same status and
error code whether its document is one the fast lane plans or one only regular execution runs,
and the fast lane never answers a request the regular view would refuse.

How to write tests here: the requests go to the suite's `shared` server (nothing here changes
it). Add a hostile variant to `HOSTILE` (or a limit to `LIMITED`) as a raw
body and headers; `_both` sends it with the planned and the unplanned document and returns the
two (status, codes) pairs, plus how many requests the fast lane answered meanwhile.
"""

from __future__ import annotations

import json

import pytest

from api import Limits
from tests.api.conftest import Fresh
from tests.api.support import LiveServer, Tokens

PLANNED = "query($p: String!, $r: String!) { access(principal: $p, resource: $r) { decision } }"
UNPLANNED = (
    "query($p: String!, $r: String!) { access(principal: $p, resource: $r) { decision } "
    "viewer { role } }"
)
GOOD = {"p": "fabrikam/bob", "r": "contoso/wiki"}
JSON = {"content-type": "application/json"}


def _body(query: str, variables: str) -> bytes:
    return f'{{"query": {json.dumps(query)}, "variables": {variables}}}'.encode()


def _deep(levels: int) -> str:
    return (
        '{"p": "fabrikam/bob", "r": "contoso/wiki", "x": '
        + '{"a": ' * levels
        + "1"
        + "}" * (levels + 1)
    )


HOSTILE: dict[str, tuple[str, dict[str, str], int, str]] = {
    # name: (variables as JSON text, headers, expected status, expected code)
    "NaN in variables": ('{"p": NaN, "r": "contoso/wiki"}', JSON, 400, "invalid-request"),
    "Infinity in variables": ('{"p": "x", "r": Infinity}', JSON, 400, "invalid-request"),
    "variables nested past 64": (_deep(70), JSON, 400, "invalid-request"),
    "variables a list": ("[]", JSON, 400, "invalid-request"),
    "variables zero": ("0", JSON, 400, "invalid-request"),
    "variables false": ("false", JSON, 400, "invalid-request"),
    "variables a string": ('"{}"', JSON, 400, "invalid-request"),
    "text/plain": (json.dumps(GOOD), {"content-type": "text/plain"}, 400, "invalid-request"),
    "no content type": (json.dumps(GOOD), {"content-type": ""}, 400, "invalid-request"),
}
ACCEPTED: dict[str, dict[str, str]] = {
    "upper-case media type": {"content-type": "APPLICATION/JSON"},
    "mixed case with a charset": {"content-type": "Application/Json; Charset=UTF-8"},
}


def _outcome(
    live: LiveServer, token: str, body: bytes, headers: dict[str, str]
) -> tuple[int, list[str]]:
    response = live.client(token).http.post("/graphql", content=body, headers=headers)
    answer = response.json()
    return response.status_code, [e["extensions"]["code"] for e in answer.get("errors", [])]


def _both(
    live: LiveServer, token: str, variables: str, headers: dict[str, str]
) -> tuple[tuple[int, list[str]], tuple[int, list[str]], int]:
    before = live.app.state.fast_lane.answered
    planned = _outcome(live, token, _body(PLANNED, variables), headers)
    unplanned = _outcome(live, token, _body(UNPLANNED, variables), headers)
    return planned, unplanned, live.app.state.fast_lane.answered - before


def test_the_planned_document_is_answered_by_the_fast_lane(
    shared: tuple[LiveServer, Tokens],
) -> None:
    live, tokens = shared
    planned, unplanned, fast = _both(live, tokens.reader, json.dumps(GOOD), JSON)
    assert planned == unplanned == (200, []) and fast == 1


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_requests_are_refused_alike_on_both_paths(
    shared: tuple[LiveServer, Tokens], name: str
) -> None:
    live, tokens = shared
    variables, headers, status, code = HOSTILE[name]
    planned, unplanned, fast = _both(live, tokens.reader, variables, headers)
    assert planned == unplanned == (status, [code])
    assert fast == 0


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_media_types_are_case_insensitive_on_both_paths(
    shared: tuple[LiveServer, Tokens], name: str
) -> None:
    live, tokens = shared
    planned, unplanned, fast = _both(live, tokens.reader, json.dumps(GOOD), ACCEPTED[name])
    assert planned == unplanned == (200, [])
    assert fast == 1  # the planned one went the fast way


def test_a_lowered_token_limit_holds_on_both_paths(fresh: Fresh) -> None:
    live, tokens = fresh(Limits(max_tokens=14))  # PLANNED has 32 tokens
    planned, unplanned, fast = _both(live, tokens.reader, json.dumps(GOOD), JSON)
    assert planned == unplanned == (200, ["query-too-complex"])
    assert fast == 0
    small = '{ access(principal: "fabrikam/bob", resource: "contoso/wiki") { decision } }'
    assert live.client(tokens.reader).data(small)["access"]["decision"] == "ALLOW"  # 14 tokens
