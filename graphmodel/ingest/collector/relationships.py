"""Per-object reads after the directory: members, app role assignments, partners, Teams, sign-ins.

Graph has no delta for most of these (app role assignments, Teams and channels, partner sync
settings), so a run re-reads them either all, or only for the objects it knows changed: an
incremental run passes the ids to re-read. Re-reading one object first removes what the folder
held for it, so a team that lost a channel or a service principal that lost its last assignment
does not keep the old file. Directory audit events name the service principals whose app role
assignments changed (`audited_service_principals`), which keeps direct assignments current
between full refreshes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta

from graphmodel.ingest.collector.errors import GraphRequestFailed, MissingPermissions
from graphmodel.ingest.collector.run import CollectRun
from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.records import TenantData
from graphmodel.ingest.graph_export.sign_ins import add_raw_sign_in, usage_entries
from graphmodel.ingest.graph_export.values import At

__all__ = [
    "AUDIT_MARGIN",
    "SIGN_IN_LOG_DAYS",
    "assignments",
    "audited_service_principals",
    "group_members",
    "partners",
    "sign_ins",
    "team_ids",
    "teams",
]

SIGN_IN_LOG_DAYS = 30  # the sign-in log retention of Microsoft Entra ID P1/P2
AUDIT_MARGIN = timedelta(minutes=30)
"""Directory audit events can appear minutes after the change: each run looks back this much
further than the previous run's start."""
_ASSIGNMENT_ACTIVITIES = ("Add app role assignment", "Remove app role assignment")
_GRAPH_TIME = "%Y-%m-%dT%H:%M:%SZ"


def _clear(run: CollectRun, folder: str) -> None:
    shutil.rmtree(run.out / folder, ignore_errors=True)


def group_members(run: CollectRun) -> None:
    """Every group's direct members (the plain read; delta runs get them from `members@delta`)."""
    _clear(run, L.GROUP_MEMBERS)
    run.batch_files([(f"/groups/{g['id']}/members?$select=id&$top=999",
                      f"{L.GROUP_MEMBERS}/{g['id']}.json")
                     for g in run.ids(L.GROUPS, paged=True)])


def _drop(run: CollectRun, folder: str, ids: set[str], *, suffix: str = "") -> None:
    """Remove `folder/<id><suffix>` of each (lower-case) id, whatever the case of its name."""
    base = run.out / folder
    for path in base.iterdir() if base.is_dir() else ():
        if path.name.lower().removesuffix(suffix) in ids:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def assignments(run: CollectRun, only: Iterable[str] | None = None,
                gone: Iterable[str] = ()) -> None:
    """App role assignments of every service principal, or of those in `only` (lower-case
    ids); the files of `gone` (deleted) service principals are removed."""
    sps = [s["id"] for s in run.ids(L.SERVICE_PRINCIPALS, paged=True)]
    if only is None:
        _clear(run, L.APP_ROLE_ASSIGNED_TO)
    else:
        wanted = set(only)
        _drop(run, L.APP_ROLE_ASSIGNED_TO, wanted | set(gone), suffix=".json")
        sps = [s for s in sps if s.lower() in wanted]
    run.batch_files([(f"/servicePrincipals/{s}/appRoleAssignedTo?$top=999",
                      f"{L.APP_ROLE_ASSIGNED_TO}/{s}.json") for s in sps])


def partners(run: CollectRun) -> None:
    """Identity sync settings and names of every partner tenant (small: read every run)."""
    found = [p["tenantId"] for p in run.ids(L.CROSS_TENANT_PARTNERS, "tenantId")]
    _clear(run, L.PARTNERS_DIR)
    _clear(run, L.TENANT_INFORMATION)
    base = "/policies/crossTenantAccessPolicy/partners"
    run.batch_files([(f"{base}/{t}/identitySynchronization", L.identity_sync_file(t))
                     for t in found], absent_ok=True)
    run.batch_files([(f"/tenantRelationships/findTenantInformationByTenantId(tenantId='{t}')",
                      f"{L.TENANT_INFORMATION}/{t}.json") for t in found], absent_ok=True)


def team_ids(run: CollectRun) -> list[str]:
    """The groups that back a team (`resourceProvisioningOptions` holds `Team`)."""
    return [g["id"] for g in run.ids(L.GROUPS, paged=True)
            if "Team" in (g.get("resourceProvisioningOptions") or [])]


def teams(run: CollectRun, only: Iterable[str] | None = None, gone: Iterable[str] = ()) -> None:
    """Teams, their channels and the members of private and shared channels.

    `only`: re-read just these teams (lower-case group ids); `gone`: groups deleted, whose team
    folders are removed.
    """
    found = team_ids(run)
    if only is None:
        _clear(run, L.TEAMS_DIR)
    else:
        wanted = set(only)
        found = [t for t in found if t.lower() in wanted]
        _drop(run, L.TEAMS_DIR, wanted | set(gone))
    _read_teams(run, found)


def _read_teams(run: CollectRun, found: list[str]) -> None:
    own = {str(o["id"]).lower() for o in run.ids(L.ORGANIZATION)}
    jobs: list[tuple[str, str]] = []
    for t in found:
        base = f"{L.TEAMS_DIR}/{t}"
        jobs += [(f"/teams/{t}", f"{base}/team.json"),
                 (f"/teams/{t}/members", f"{base}/members.json"),
                 (f"/teams/{t}/allChannels?$select=id,displayName,membershipType,tenantId",
                  f"{base}/channels.json")]
    run.batch_files(jobs)
    jobs, shared = [], []
    for t in found:
        for c in run.ids(f"{L.TEAMS_DIR}/{t}/channels.json"):
            kind, host = c.get("membershipType"), c.get("tenantId")
            if kind not in ("private", "shared") or (
                isinstance(host, str) and host.lower() not in own
            ):
                continue  # standard channels have the team's members; incoming ones are
                # listed by their host tenant
            folder = f"{L.TEAMS_DIR}/{t}/channels/{L.channel_dir_name(c['id'])}"
            verb = "allMembers" if kind == "shared" else "members"
            jobs.append((f"/teams/{t}/channels/{c['id']}/{verb}", f"{folder}/members.json"))
            if kind == "shared":
                jobs.append((f"/teams/{t}/channels/{c['id']}/sharedWithTeams",
                             f"{folder}/sharedWithTeams.json"))
                shared.append((t, c["id"], folder))
    run.batch_files(jobs)
    allowed = [(f"/teams/{t}/channels/{cid}/sharedWithTeams/{s['id']}/allowedMembers",
                f"{folder}/sharedWithTeams/{s['id']}/allowedMembers.json")
               for t, cid, folder in shared
               for s in run.ids(f"{folder}/sharedWithTeams.json")
               if not s.get("isHostTeam")]
    run.batch_files(allowed)


def audited_service_principals(run: CollectRun, since: datetime) -> set[str] | None:
    """Service principals named by app role assignment events since `since` (lower-case ids);
    None when the directory audit log cannot be read (then every one must be re-read)."""
    start = since.strftime(_GRAPH_TIME)
    kinds = " or ".join(f"startswith(activityDisplayName,'{a}')" for a in _ASSIGNMENT_ACTIVITIES)
    path = "/auditLogs/directoryAudits"
    params = {"$filter": f"activityDateTime ge {start} and ({kinds})", "$top": "999"}
    found: set[str] = set()
    try:
        for page in run.client.pages(path, params):
            for event in page.get("value") or []:
                if isinstance(event, dict):
                    found |= _service_principals(event)
    except (MissingPermissions, GraphRequestFailed) as exc:
        run.failed(run.client.url(path), exc, optional=True)
        return None
    return found


def _service_principals(event: dict[str, object]) -> set[str]:
    """Every service principal an assignment event names: the resource, and a client."""
    out: set[str] = set()
    for target in event.get("targetResources") or []:  # type: ignore[attr-defined]
        if not isinstance(target, dict):
            continue
        if str(target.get("type", "")).lower() == "serviceprincipal" and target.get("id"):
            out.add(str(target["id"]).lower())
        for prop in target.get("modifiedProperties") or []:
            if isinstance(prop, dict) and prop.get("displayName") == "ServicePrincipal.ObjectID":
                value = str(prop.get("newValue") or prop.get("oldValue") or "").strip('" ')
                if value:
                    out.add(value.lower())
    return out


def sign_ins(run: CollectRun, tenant_id: str, now: datetime) -> None:
    """Aggregate the retained sign-in log into `signInUsage.json`; raw logs are not kept."""
    since = (now - timedelta(days=SIGN_IN_LOG_DAYS)).strftime(_GRAPH_TIME)
    path = "/auditLogs/signIns"
    data = TenantData(folder=run.out, label=run.out.name, tenant_id=tenant_id)
    params = {"$filter": f"createdDateTime ge {since}", "$top": "1000"}
    try:
        for n, page in enumerate(run.client.pages(path, params)):
            for i, obj in enumerate(page.get("value") or []):
                if isinstance(obj, dict):
                    add_raw_sign_in(data, At(run.report, path, (n, i)), obj)
    except (MissingPermissions, GraphRequestFailed) as exc:
        run.failed(run.client.url(path, "v1.0"), exc, optional=True)
        return
    run.write(L.SIGN_IN_USAGE, {"value": usage_entries(data)})
    run.notify(f"collected `{path}` since {since}: {len(data.sign_ins)} cross-tenant "
               "(user, app) aggregates")
