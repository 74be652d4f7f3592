"""Every field of the schema, asked by tenant-scoped tokens, names no object of another tenant
(issue 29). The schema is walked by introspection: each root field of `Query` and `Mutation` is
asked with every field below it (to `DEPTH` levels, no type twice on one path), so that every
field of every reachable type is selected at least once, by an unscoped admin and by contoso-
scoped reader, auditor and admin tokens, on the demo world (every tenant has objects) after an
unscoped admin changed other tenants (snapshot sources, audit-log entries naming them). A scoped
answer (data, errors, extensions; base64 ids and cursors decoded) must contain no
`tenant/name` of a tenant other than contoso; `tenant/<kind>` is the masked form.

How to write tests here: a new root field must get its arguments in `QUERIES` or `MUTATIONS`
(the walk fails on a root field missing from them, and on a field below the root with required
arguments missing from `NESTED`); a field whose answer is data for an unscoped admin must be
data for a scoped token too unless the case says which scoped roles are refused. Nothing else is
listed by hand: every field below the root is found by introspection.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from api import Limits, Role, TokenStore
from graphmodel.audit.model import fingerprint_of
from tests.api.schema_walk import Enum, Schema, Walk, matches
from tests.api.support import Client, LiveServer, token_auth

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.yaml"
SCOPE = "contoso"
OTHERS = ("fabrikam", "adatum", "litware", "northwind", "woodgrove")
# `tenant/name` of another tenant; `tenant/<kind>` (or `#lt;kind#gt;` in Mermaid) is masked
LEAK = re.compile(r"(?<![\w.@-])(" + "|".join(OTHERS) + r")/(?!<|#lt;)[\w.@#:%-]+")
DEPTH = 5  # levels below a root field: every field of the schema is reached (checked)
LIMITS = Limits(
    max_depth=40,
    max_aliases=1_000_000,
    max_tokens=500_000,
    max_fields=50_000,
    max_complexity=1 << 60,
    max_changes=10_000,
    max_reader_changes=10_000,
    deadline_s=300,
    hard_deadline_s=600,
)


@dataclass(frozen=True)
class Case:
    """One way a root field is asked: its arguments, and the scoped roles it refuses."""

    args: dict[str, Any] = field(default_factory=dict)
    refused: frozenset[Role] = frozenset()  # scoped roles that get `forbidden`


def case(args: dict[str, Any] | None = None, *refused: Role) -> Case:
    return Case(args or {}, frozenset(refused))


FORMATS = ("GRAPHML", "CYTOSCAPE", "MERMAID", "DOT", "CSV")
HISTORY = (Role.READER,)  # reading a snapshot other than the current one
SCOPED = (Role.READER, Role.AUDITOR, Role.ADMIN)  # every scoped role: another tenant's object
ADMIN_ONLY = (Role.READER, Role.AUDITOR)
CHANGES = (
    "changes:\n  - removeGroupMember: {group: contoso/finance, member: bob}\n"
    "  - blockSection: {tenant: contoso, partner: fabrikam, section: b2bCollaborationInbound}\n"
)

# Every root field of Query, with the arguments it is asked with (several cases: in scope, and
# about another tenant's object, whose answer must be a refusal or null, never its data).
QUERIES: dict[str, list[Case]] = {
    "access": [
        case({"principal": "fabrikam/bob", "resource": "contoso/wiki"}),
        case({"principal": "litware/lena", "resource": "contoso/vault"}),
        case({"principal": "adatum/ari", "resource": "contoso/launch/partners"}),
    ],
    "whoCanAccess": [case({"resource": "contoso/wiki"}), case({"resource": "contoso/vault"})],
    "reachableResources": [case({"principal": "fabrikam/bob"}), case({"principal": "contoso/bob"})],
    "canInvite": [case({"invitee": "fabrikam/fay", "inviter": "contoso/alice"})],
    "canSignUp": [
        case({"email": "x@adatum.com", "app": "contoso/wiki", "identityProvider": "google"})
    ],
    "canRequest": [case({"requester": "fabrikam/gwen", "accessPackage": "contoso/partner-pack"})],
    "trustGraph": [case()],
    "snapshots": [case()],
    "currentSnapshot": [case()],
    "viewer": [case()],
    "tenant": [case({"name": "contoso"}), case({"name": "fabrikam"})],
    "tenants": [case()],
    "user": [case({"ref": "contoso/bob"}), case({"ref": "fabrikam/bob"})],
    "users": [case({"first": 100})],
    "group": [case({"ref": "contoso/finance"}), case({"ref": "fabrikam/sellers"})],
    "groups": [case()],
    "app": [case({"ref": "contoso/wiki"}), case({"ref": "fabrikam/crm"})],
    "apps": [case()],
    "team": [case({"ref": "contoso/launch"}), case({"ref": "fabrikam/eng"})],
    "teams": [case()],
    "channel": [case({"ref": "contoso/launch/partners"}), case({"ref": "fabrikam/eng/joint"})],
    "channels": [case()],
    "search": [case({"query": "b", "first": 100}), case({"query": "a", "first": 100})],
    "conditionalAccessPolicy": [case({"ref": "contoso/mfa-externals"})],
    "conditionalAccessPolicies": [case()],
    "crossTenantAccessPartner": [
        case({"tenant": "contoso", "partner": "fabrikam"}),
        case({"tenant": "fabrikam", "partner": "contoso"}),
    ],
    "crossTenantAccessPartners": [case()],
    "invitations": [case()],
    "exportTrustGraph": [case({"format": Enum(f)}) for f in FORMATS],
    "exportAccess": [
        case({"format": Enum(f), "principal": "fabrikam/bob", "resource": "contoso/wiki"})
        for f in FORMATS
    ],
    "exportWhoCanAccess": [case({"format": Enum(f), "resource": "contoso/wiki"}) for f in FORMATS],
    "auditChecks": [case()],
    "findings": [case({"first": 1000})],
    "finding": [  # its exposures stream past the exemplars: masked like the rest
        case({"id": fingerprint_of("zone.access-from-outside", "contoso<-fabrikam")}),
        case({"id": fingerprint_of("scuba.8.2", "fabrikam")}, *SCOPED),
    ],
    "whatIf": [case({"changes": CHANGES})],
    "removeUnusedAccess": [case(), case({"days": 30})],
    "accessDiff": [case({"from": 1, "to": -1}, *HISTORY)],  # -1: the current snapshot
    "accessChanges": [case({"first": 1000}, *HISTORY)],
    "auditLog": [case({"first": 1000}, *ADMIN_ONLY)],
    "node": [
        case({"id": "User:contoso/bob"}),
        case({"id": "User:fabrikam/bob"}),
        case({"id": "Group:fabrikam/sellers"}),
    ],
}


# Every root field of Mutation, in order: run by the scoped admin (readers and auditors are
# refused), then by the unscoped admin with `again` (or the same) arguments. Pairs undo each
# other, so both admins start from the same World.
@dataclass(frozen=True)
class Step:
    field: str
    case: Case
    again: dict[str, Any] | None = None  # the unscoped admin's arguments, when they differ


INVITE = {
    "invitedBy": "contoso/alice",
    "inviteRedirectUrl": "https://myapps.microsoft.com",
    "invitedUserType": Enum("GUEST"),
    "resetRedemption": False,
}
MUTATIONS: list[Step] = [
    Step(
        "addGroupMember",
        case({"group": "contoso/project-x", "member": "contoso/dora"}, *ADMIN_ONLY),
    ),
    Step(
        "removeGroupMember",
        case({"group": "contoso/project-x", "member": "contoso/dora"}, *ADMIN_ONLY),
    ),
    Step(
        "addChannelMember",
        case({"channel": "contoso/launch/partners", "user": "contoso/fay"}, *ADMIN_ONLY),
    ),
    Step(
        "removeChannelMember",
        case({"channel": "contoso/launch/partners", "user": "contoso/fay"}, *ADMIN_ONLY),
    ),
    Step("assignApp", case({"app": "contoso/wiki", "principal": "contoso/project-x"}, *ADMIN_ONLY)),
    Step(
        "unassignApp", case({"app": "contoso/wiki", "principal": "contoso/project-x"}, *ADMIN_ONLY)
    ),
    Step(
        "createInvitation",
        case({"input": {**INVITE, "invitedUserEmailAddress": "wren@woodgrove.com"}}, *ADMIN_ONLY),
        {"input": {**INVITE, "invitedUserEmailAddress": "walt@woodgrove.com"}},
    ),
    Step(
        "redeemInvitation",
        case({"input": {"user": "contoso/dan"}}, *ADMIN_ONLY),
        {"input": {"user": "@INVITED@"}},
    ),
    Step(
        "updateCrossTenantAccessDefault",
        case(
            {"tenant": "contoso", "input": {"inboundTrust": {"isMfaAccepted": False}}}, *ADMIN_ONLY
        ),
    ),
    Step(
        "createCrossTenantAccessPartner",
        case(
            {
                "tenant": "contoso",
                "input": {"tenantId": "woodgrove", "inboundTrust": {"isMfaAccepted": True}},
            },
            *ADMIN_ONLY,
        ),
    ),
    Step(
        "updateCrossTenantAccessPartner",
        case(
            {
                "tenant": "contoso",
                "partner": "woodgrove",
                "input": {"inboundTrust": {"isMfaAccepted": False}},
            },
            *ADMIN_ONLY,
        ),
    ),
    Step(
        "deleteCrossTenantAccessPartner",
        case({"tenant": "contoso", "partner": "woodgrove"}, *ADMIN_ONLY),
    ),
    Step("loadWorld", case({"text": "@DEMO@", "fileName": "demo.yaml"}, *ADMIN_ONLY, Role.ADMIN)),
]

# Fields below the root that have required arguments (none today): "Type.field" -> arguments.
NESTED: dict[str, dict[str, Any]] = {}

# Done by an unscoped admin before anything is asked: other tenants' objects in snapshot
# sources and in the audit log.
SETUP: list[tuple[str, dict[str, Any]]] = [
    ("{ accessChanges(first: 1) { totalCount } }", {}),  # the feed's baseline: events follow
    (
        "mutation($g: String!, $m: String!) { removeGroupMember(group: $g, member: $m) "
        "{ snapshot { id } } }",
        {"g": "fabrikam/sellers", "m": "fabrikam/fay"},
    ),
    (
        "mutation($g: String!, $m: String!) { addGroupMember(group: $g, member: $m) "
        "{ snapshot { id } } }",
        {"g": "fabrikam/sellers", "m": "fabrikam/fay"},
    ),
    (
        "mutation($i: CreateInvitationInput!) { createInvitation(input: $i) "
        "{ answer { decision } } }",
        {
            "i": {
                "invitedBy": "fabrikam/bob",
                "invitedUserEmailAddress": "alice@contoso.com",
                "inviteRedirectUrl": "https://myapps.microsoft.com",
                "invitedUserType": "GUEST",
                "resetRedemption": False,
            }
        },
    ),
]

# Questions that fail for a scoped token, with the code: the error must not name another
# tenant's object either (a "did you mean" hint would tell which names exist there).
REFUSALS: list[tuple[str, str]] = [
    (
        '{ access(principal: "fabrikam/bo", resource: "contoso/wiki") { decision } }',
        "node-not-found",
    ),
    ('{ reachableResources(principal: "adatum/ar") { totalCount } }', "node-not-found"),
    (
        '{ exportAccess(format: CSV, principal: "litware/len", resource: "contoso/vault") '
        "{ content } }",
        "node-not-found",
    ),
    (
        '{ whatIf(changes: "changes: [{removeGroupMember: {group: fabrikam/seller, member: fay}}]")'
        " { title } }",
        "invalid-input",
    ),
    ('{ whoCanAccess(resource: "fabrikam/cr") { totalCount } }', "forbidden"),
    (
        'mutation { addGroupMember(group: "contoso/finance", member: "fabrikam/bo") '
        "{ snapshot { id } } }",
        "invalid-input",
    ),
]


def leaks(answer: Any) -> list[str]:
    return matches(answer, LEAK)


@dataclass
class Tokens:
    admin: str
    scoped: dict[Role, str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Tokens]]:
    from tests.api.support import seed

    root = tmp_path_factory.mktemp("scope-walk")
    seed(root / "walk.db", DEMO)
    store = TokenStore(root / "tokens.sqlite")
    tokens = Tokens(
        admin=store.create(Role.ADMIN, name="admin")[1],
        scoped={r: store.create(r, tenants=[SCOPE], name=f"c-{r.value}")[1] for r in Role},
    )
    server = LiveServer(
        root / "walk.db",
        token_auth(root / "tokens.sqlite"),
        LIMITS,
        options={"audit": _audit_log(root)},
    ).start()
    yield server, tokens
    server.stop()


def _audit_log(root: Path) -> Any:
    from api.audit_log import AuditLog

    return AuditLog(root / "audit.sqlite")


def _resolve(args: dict[str, Any], current: int, root: str = "") -> dict[str, Any]:
    """Arguments with the placeholders filled in: `-1` snapshot, `node` ids, the demo text."""
    out: dict[str, Any] = {}
    for k, v in args.items():
        if v == -1 and k in ("to", "snapshot"):
            v = current
        elif k == "id" and root == "node":  # a finding's id is its fingerprint, as given
            v = base64.b64encode(v.encode()).decode()
        elif v == "@DEMO@":
            v = DEMO.read_text()
        out[k] = v
    return out


def _filled(value: Any, placeholder: str, text: str) -> Any:
    if isinstance(value, dict):
        return {k: _filled(v, placeholder, text) for k, v in value.items()}
    return text if value == placeholder else value


def test_no_field_shows_a_scoped_token_another_tenants_objects(
    served: tuple[LiveServer, Tokens],
) -> None:
    server, tokens = served
    admin = server.client(tokens.admin)
    for doc, variables in SETUP:
        admin.data(doc, variables)
    feed = admin.data("{ accessChanges(first: 100) { totalCount } }")["accessChanges"]
    assert feed["totalCount"] > 0  # the setup's invitation is an event the walk must mask
    schema = Schema.of(admin)
    walk = Walk(schema, depth=DEPTH, nested=NESTED)
    roots = {r: {f["name"] for f in schema.types[t]["fields"]} for r, t in schema.roots.items()}
    assert roots["Query"] == set(QUERIES), "every Query field needs its cases in QUERIES"
    assert roots["Mutation"] == {m.field for m in MUTATIONS}, "every Mutation field in MUTATIONS"
    found: dict[str, list[str]] = {}
    clients = {role: server.client(t) for role, t in tokens.scoped.items()}

    def ask(client: Client, doc: str) -> dict[str, Any]:
        response = client.post(doc)
        body: dict[str, Any] = response.json()
        return body

    for step in MUTATIONS:  # the scoped admin makes every change; readers, auditors refused
        c = step.case
        doc = walk.document("Mutation", step.field, _resolve(c.args, 0))
        for role, client in clients.items():
            answer = ask(client, doc)
            codes = [e["extensions"]["code"] for e in answer.get("errors", [])]
            assert codes == (["forbidden"] if role in c.refused else []), (role, step, answer)
            if leaks(answer):
                found[f"{role.value} {step.field}"] = leaks(answer)
    invited = ""
    for step in MUTATIONS:  # then the unscoped admin makes them all again
        again = step.again if step.again is not None else step.case.args
        filled = _filled(again, "@INVITED@", invited)
        answer = ask(admin, walk.document("Mutation", step.field, _resolve(filled, 0)))
        assert "errors" not in answer, (step, answer)
        if step.field == "createInvitation":
            invited = answer["data"]["createInvitation"]["invitedUser"]["ref"]

    current = admin.data("{ currentSnapshot { id } }")["currentSnapshot"]["id"]
    for name, cases in QUERIES.items():
        for c in cases:
            doc = walk.document("Query", name, _resolve(c.args, current, name))
            reference = ask(admin, doc)
            assert "errors" not in reference, (name, reference["errors"])
            for role, client in clients.items():
                answer = ask(client, doc)
                refused = {e["extensions"]["code"] for e in answer.get("errors", [])}
                expected = {"forbidden"} if role in c.refused else set()
                assert refused == expected, (role, name, c, answer.get("errors"))
                if leaks(answer):
                    found[f"{role.value} {name}({c.args})"] = leaks(answer)
    for doc, code in REFUSALS:
        answer = ask(clients[Role.ADMIN], doc)
        assert [e["extensions"]["code"] for e in answer["errors"]] == [code], answer
        if leaks(answer):
            found[f"refused {doc}"] = leaks(answer)
    assert not walk.missing, f"fields with required arguments missing from NESTED: {walk.missing}"
    uncovered = schema.reachable_fields() - walk.covered
    assert not uncovered, f"fields the walk did not reach (raise DEPTH?): {sorted(uncovered)}"
    assert not found, json.dumps(found, indent=1)
