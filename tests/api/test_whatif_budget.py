"""What-if costs are bounded by role (issue 29): a request may what-if at most `max_changes`
changes (a reader token `max_reader_changes`, in at most `max_reader_change_chars` characters),
fewer when the rest of the document is costly, and every what-if of one request draws on the
same budget; over it is `query-too-complex` with the `limit`, before any change is applied.

How to write tests here: build change sets with `_changes(n)` and read the codes and `limit` of
the answer with `_refusal`; a test that needs other limits starts its own server (`fresh`).
"""

from __future__ import annotations

from typing import Any

from api import Limits
from tests.api.conftest import Fresh
from tests.api.support import Client, LiveServer, Tokens

WHAT_IF = "query($c: String!) { whatIf(changes: $c) { entities { ref } } }"
TWICE = (
    "query($a: String!, $b: String!) { one: whatIf(changes: $a) { title } "
    "two: whatIf(changes: $b) { title } }"
)


def _changes(n: int, *, padding: int = 0) -> str:
    ops = ("disableUser", "enableUser")
    lines = [f"  - {ops[i % 2]}: {{user: contoso/alice}}\n" for i in range(n)]
    return "# " + "x" * padding + "\nchanges:\n" + "".join(lines)


def _refusal(client: Client, query: str, variables: dict[str, Any]) -> list[tuple[str, Any]]:
    errors = client.result(query, variables).get("errors", [])
    return [(e["extensions"]["code"], e["extensions"].get("limit")) for e in errors]


def test_each_role_has_its_cap(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    reader, auditor = server.client(tokens.reader), server.client(tokens.auditor)
    assert reader.data(WHAT_IF, {"c": _changes(100)})["whatIf"] is not None
    assert _refusal(reader, WHAT_IF, {"c": _changes(101)}) == [("query-too-complex", 100)]
    assert auditor.data(WHAT_IF, {"c": _changes(101)})["whatIf"] is not None
    assert _refusal(auditor, WHAT_IF, {"c": _changes(2001)}) == [("query-too-complex", 2000)]


def test_a_readers_change_set_is_bounded_in_characters(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    long = _changes(1, padding=20_000)  # one change, 20 KB of comment: YAML parsing costs
    assert _refusal(server.client(tokens.reader), WHAT_IF, {"c": long}) == [
        ("query-too-complex", 16_384)
    ]
    assert server.client(tokens.admin).data(WHAT_IF, {"c": long})["whatIf"] is not None


def test_the_whatifs_of_one_request_share_the_budget(shared: tuple[LiveServer, Tokens]) -> None:
    server, tokens = shared
    reader = server.client(tokens.reader)
    both = reader.result(TWICE, {"a": _changes(60), "b": _changes(60)})
    (error,) = both["errors"]  # the first to run used 60 of 100; the other was refused
    assert error["extensions"] == {"code": "query-too-complex", "limit": 40}
    assert error["path"] in (["one"], ["two"])
    assert "errors" not in reader.result(TWICE, {"a": _changes(50), "b": _changes(50)})


def test_a_costly_document_leaves_fewer_changes(fresh: Fresh) -> None:
    server, tokens = fresh(Limits(max_complexity=1_000))
    admin = server.client(tokens.admin)
    # the document costs 12 (whatIf 10, entities 1, ref 1): (1,000 - 12) // 10 = 98 changes
    assert admin.data(WHAT_IF, {"c": _changes(98)})["whatIf"] is not None
    assert _refusal(admin, WHAT_IF, {"c": _changes(99)}) == [("query-too-complex", 98)]
