"""Graph requests of a second sync vs a full collection (issue 25): `python -m bench.probe_sync M`.

One fake tenant of the scale's size (`bench.generate.SCALES`: M = 100,000 users, 10,000 groups,
1,000 apps; 5% of the users are guests of 20 partner tenants, 2% of the groups are teams, 30%
of the service principals require assignment) is served by the test suite's fake Microsoft
Graph over HTTPS on loopback (`tests.ingest.fake_graph`, the same server the collector tests
use; every page holds 999 objects, delta pages too). Measured in one run, in order:

1. the collector without delta state (what `collect` did before issue 25): the baseline;
2. the first sync: every delta function's initial round (a full collection with delta links);
3. the second sync after 0.1% of the directory changed (users deleted, added and renamed,
   memberships added and removed, one partner setting, one app role assignment with its
   directory audit event), data without delta not due for its full refresh;
4. the same again with the full refresh due (`refresh` elapsed): Teams, app role assignments
   and sign-in evidence re-read in full.

Each row counts HTTP requests to Graph (retries included, `$batch` counted once; the sign-in
service is not Graph) and Graph operations (every part of a `$batch` counted), client side, and
the server's own count of the requests it answered as a cross-check. Prints a markdown table;
`--out` also writes the JSON.
"""

from __future__ import annotations

import argparse
import json
import random
import ssl
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

if not __package__:  # run as `python bench/probe_sync.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import SCALES
from bench.stats import environment
from graphmodel.ingest.collector import Traffic, collect_tenant
from tests.ingest.fake_graph import FakeGraph
from tests.ingest.fake_tenant import make_certificate, routes

__all__ = ["bench_tenant", "change_tenant", "main"]

TENANT = "5b6f1c2e-7a3d-4e8f-9a0b-1c2d3e4f5a6b"
PARTNERS = 20
PAGE = 999
XTAP = "/policies/crossTenantAccessPolicy"
_POLICY_ROUTES = ("/policies", "/identity", "/identityGovernance", "/tenantRelationships/multi",
                  "/roleManagement", "/oauth2PermissionGrants")


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _user(rng: random.Random, i: int, partner: int | None) -> dict[str, Any]:
    if partner is None:
        return {"id": _id(rng), "displayName": f"user{i}", "userType": "Member",
                "userPrincipalName": f"user{i}@bench.example", "mail": f"user{i}@bench.example",
                "accountEnabled": True, "createdDateTime": "2024-01-01T00:00:00Z"}
    domain = f"partner{partner}.example"
    return {"id": _id(rng), "displayName": f"guest{i}", "userType": "Guest",
            "creationType": "Invitation", "externalUserState": "Accepted",
            "userPrincipalName": f"guest{i}_{domain}#EXT#@bench.example",
            "mail": f"guest{i}@{domain}", "accountEnabled": True,
            "identities": [{"signInType": "federated", "issuer": "ExternalAzureAD"}]}


def bench_tenant(scale: str, seed: int = 7) -> dict[str, Any]:
    """The routes of one tenant of `scale`'s size (module docstring)."""
    sc, rng = SCALES[scale], random.Random(seed)
    out: dict[str, Any] = {k: v for k, v in routes().items() if k.startswith(_POLICY_ROUTES)}
    out["/organization"] = [{"id": TENANT, "displayName": "Bench", "tenantType": "AAD",
                             "verifiedDomains": [{"name": "bench.example", "isDefault": True}]}]
    out["/domains"] = [{"id": "bench.example", "isDefault": True, "isInitial": True,
                        "isVerified": True}]
    users = [_user(rng, i, rng.randrange(PARTNERS) if rng.random() < 0.05 else None)
             for i in range(sc.users)]
    out["/users"] = users
    groups = []
    for j in range(sc.groups):
        team = j < sc.groups // 50
        gid = _id(rng)
        groups.append({"id": gid, "displayName": f"group{j}", "mailNickname": f"group{j}",
                       "groupTypes": ["Unified"] if team else [], "securityEnabled": True,
                       "resourceProvisioningOptions": ["Team"] if team else []})
        members = rng.sample(users, rng.randint(5, 35))
        out[f"/groups/{gid}/members"] = [{"@odata.type": "#microsoft.graph.user", "id": m["id"]}
                                         for m in members]
        if team:
            out[f"/teams/{gid}"] = {"id": gid, "displayName": f"group{j}", "tenantId": TENANT}
            out[f"/teams/{gid}/members"] = [
                {"@odata.type": "#microsoft.graph.aadUserConversationMember", "userId": m["id"],
                 "tenantId": TENANT, "roles": []} for m in members]
            out[f"/teams/{gid}/allChannels"] = [{"id": f"19:{gid}@thread.tacv2",
                                                 "displayName": "General",
                                                 "membershipType": "standard",
                                                 "tenantId": TENANT}]
    out["/groups"] = groups
    apps, sps = [], []
    for k in range(sc.apps):
        app_id = _id(rng)
        apps.append({"id": _id(rng), "appId": app_id, "displayName": f"app{k}",
                     "signInAudience": "AzureADMyOrg"})
        sp = {"id": _id(rng), "appId": app_id, "displayName": f"app{k}",
              "appOwnerOrganizationId": TENANT, "accountEnabled": True,
              "appRoleAssignmentRequired": rng.random() < 0.3}
        sps.append(sp)
        if sp["appRoleAssignmentRequired"]:
            out[f"/servicePrincipals/{sp['id']}/appRoleAssignedTo"] = [
                {"id": f"a{k}-{n}", "appRoleId": "00000000-0000-0000-0000-000000000000",
                 "principalId": g["id"], "principalType": "Group", "resourceId": sp["id"]}
                for n, g in enumerate(rng.sample(groups, 2))]
    out["/applications"], out["/servicePrincipals"] = apps, sps
    partners = [str(uuid.UUID(int=p + 1)) for p in range(PARTNERS)]
    out[f"{XTAP}/partners"] = [{"tenantId": t, "b2bCollaborationInbound": None,
                                "isServiceProvider": False} for t in partners]
    for p, t in enumerate(partners):
        out[f"{XTAP}/partners/{t}/identitySynchronization"] = {
            "tenantId": t, "userSyncInbound": {"isSyncAllowed": False}}
        out[f"/tenantRelationships/findTenantInformationByTenantId(tenantId='{t}')"] = {
            "tenantId": t, "displayName": f"Partner {p}",
            "defaultDomainName": f"partner{p}.example"}
    out["/auditLogs/directoryAudits"] = []
    out["/auditLogs/signIns"] = []
    return out


def change_tenant(fake: FakeGraph, fraction: float, seed: int = 11) -> dict[str, int]:
    """Change `fraction` of the users (and some memberships, a policy, an assignment)."""
    rng = random.Random(seed)
    users = list(fake.routes["/users"])
    n = max(5, round(len(users) * fraction))
    counts = {"users removed": n * 3 // 10, "users added": n * 3 // 10,
              "users renamed": n - 2 * (n * 3 // 10), "memberships changed": n // 5}
    for u in rng.sample(users, counts["users removed"]):
        fake.remove("/users", u["id"])
    for i in range(counts["users added"]):
        fake.upsert("/users", _user(rng, len(users) + i, rng.randrange(PARTNERS)))
    for u in rng.sample(fake.routes["/users"], counts["users renamed"]):
        fake.upsert("/users", {**u, "displayName": u["displayName"] + " (renamed)"})
    groups = fake.routes["/groups"]
    for k in range(counts["memberships changed"]):
        g = rng.choice(groups)["id"]
        if k % 2:
            fake.add_member(g, {"@odata.type": "#microsoft.graph.user",
                                "id": rng.choice(fake.routes["/users"])["id"]})
        elif fake.routes[f"/groups/{g}/members"]:
            fake.remove_member(g, fake.routes[f"/groups/{g}/members"][0]["id"])
    partner = fake.routes[f"{XTAP}/partners"][0]
    fake.routes[f"{XTAP}/partners"][0] = {**partner, "b2bCollaborationInbound": {
        "usersAndGroups": {"accessType": "blocked",
                           "targets": [{"target": "AllUsers", "targetType": "user"}]},
        "applications": {"accessType": "blocked",
                         "targets": [{"target": "AllApplications",
                                      "targetType": "application"}]}}}
    sp = next(s for s in fake.routes["/servicePrincipals"] if s["appRoleAssignmentRequired"])
    fake.routes[f"/servicePrincipals/{sp['id']}/appRoleAssignedTo"].append(
        {"id": "new", "appRoleId": "00000000-0000-0000-0000-000000000000",
         "principalId": rng.choice(fake.routes["/users"])["id"], "principalType": "User",
         "resourceId": sp["id"]})
    fake.routes["/auditLogs/directoryAudits"] = [{
        "activityDisplayName": "Add app role assignment grant to user",
        "targetResources": [{"id": sp["id"], "type": "ServicePrincipal"}]}]
    counts["policies changed"] = counts["assignments added"] = 1
    return counts


def _graph_requests(fake: FakeGraph) -> int:
    """Requests the fake answered as Graph (not the sign-in service's discovery or tokens)."""
    return sum(1 for p in fake.graph_paths() if p.startswith(("/v1.0/", "/beta/")))


def _run(fake: FakeGraph, out: Path, **kw: Any) -> dict[str, Any]:
    traffic = Traffic()
    served = _graph_requests(fake)
    started = time.perf_counter()
    collect_tenant(tenant_id=TENANT, client_id="bench", credential="secret", out=out,
                   graph_url=fake.base_url, authority_host=fake.base_url,
                   verify=ssl.create_default_context(cafile=str(fake.cert)),
                   traffic=traffic, **kw)
    return {"requests": traffic.requests, "operations": traffic.operations,
            "served": _graph_requests(fake) - served,
            "seconds": round(time.perf_counter() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe_sync", description=__doc__)
    parser.add_argument("scale", nargs="?", default="M", choices=sorted(SCALES))
    parser.add_argument("--changes", type=float, default=0.001, help="share changed (0.001)")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cert, key = make_certificate(root / "cert", server=True)
        tenant = bench_tenant(args.scale)
        with FakeGraph(TENANT, tenant, cert, key, page_size=PAGE) as fake:
            rows = {"plain full collection (before issue 25)":
                    _run(fake, root / "plain" / "bench", delta=False)}
            rows["first sync (delta initial rounds)"] = _run(fake, root / "sync" / "bench")
            changed = change_tenant(fake, args.changes)
            rows["second sync, 0.1% changed"] = _run(fake, root / "sync" / "bench")
            change_tenant(fake, args.changes, seed=12)
            rows["second sync, 0.1% changed, full refresh due"] = _run(
                fake, root / "sync" / "bench", refresh_after=timedelta(0))
    result = {"scale": args.scale, "users": len(tenant["/users"]),
              "groups": len(tenant["/groups"]), "changes": changed, "rows": rows,
              "environment": environment()}
    _print(result)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _print(result: dict[str, Any]) -> None:
    rows = result["rows"]
    first, plain = rows["first sync (delta initial rounds)"], rows[
        "plain full collection (before issue 25)"]
    print(f"scale {result['scale']}: {result['users']:,} users, {result['groups']:,} groups; "
          f"changes: {json.dumps(result['changes'])}")
    print("| run | requests | vs first sync | vs plain full | operations | vs first sync | "
          "served | seconds |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['requests']:,} | {r['requests'] / first['requests']:.1%} | "
              f"{r['requests'] / plain['requests']:.1%} | {r['operations']:,} | "
              f"{r['operations'] / first['operations']:.1%} | {r['served']:,} | "
              f"{r['seconds']:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
