"""`collect`: pull one tenant's export layout live from Microsoft Graph.

Writes the same files `import_export` reads (names from `graph_export.layout`), as the raw
response bodies: big collections page by page (`users.json`, `users.page2.json`...), the rest as
one merged `value` list. Per-object relationships (group members, app role assignments, partner
sync settings, Teams) go through `$batch`, 20 at a time. A missing permission does not stop the
run: every 403 is collected and reported once at the end, with the permission to grant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from graphmodel.ingest.collector.errors import GraphRequestFailed, MissingPermissions
from graphmodel.ingest.collector.graph import GraphClient, SubResponse
from graphmodel.ingest.collector.permissions import AUDIT_LOG, endpoint_of, required_permission
from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_collection, iter_file
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import TenantData
from graphmodel.ingest.graph_export.sign_ins import add_raw_sign_in, usage_entries
from graphmodel.ingest.graph_export.values import At

__all__ = ["ENDPOINTS", "USER_SELECT", "CollectResult", "Endpoint", "collect"]

USER_SELECT = ("id,userPrincipalName,displayName,mail,otherMails,userType,creationType,"
               "externalUserState,externalUserStateChangeDateTime,identities,accountEnabled,"
               "createdDateTime")
SIGN_IN_LOG_DAYS = 30  # the sign-in log retention of Microsoft Entra ID P1/P2
_EM = "/identityGovernance/entitlementManagement"


@dataclass(frozen=True, slots=True)
class Endpoint:
    file: str  # a layout file, or a collection base name when `paged`
    path: str
    params: dict[str, str] = field(default_factory=dict)
    paged: bool = False  # one file per page (the big directory collections)
    version: str = "v1.0"
    optional: bool = False  # 400/404: the feature is not in this tenant; skipped with a note


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(L.ORGANIZATION, "/organization",
             {"$select": "id,displayName,tenantType,verifiedDomains"}),
    Endpoint(L.DOMAINS, "/domains", {"$select": "id,isDefault,isInitial,isVerified"}),
    Endpoint(L.USERS, "/users", {"$select": USER_SELECT, "$top": "999"}, paged=True),
    Endpoint(L.GROUPS, "/groups", {"$select": "id,displayName,mailNickname,groupTypes,"
                                   "securityEnabled,mailEnabled,resourceProvisioningOptions",
                                   "$top": "999"}, paged=True),
    Endpoint(L.ROLE_ASSIGNMENTS, "/roleManagement/directory/roleAssignments",
             {"$select": "id,principalId,roleDefinitionId,directoryScopeId"}),
    Endpoint(L.APPLICATIONS, "/applications",
             {"$select": "id,appId,displayName,signInAudience", "$top": "999"}, paged=True),
    Endpoint(L.SERVICE_PRINCIPALS, "/servicePrincipals",
             {"$select": "id,appId,displayName,appDisplayName,appOwnerOrganizationId,"
              "appRoleAssignmentRequired,accountEnabled,servicePrincipalType,signInAudience",
              "$top": "999"}, paged=True),
    Endpoint(L.OAUTH2_GRANTS, "/oauth2PermissionGrants"),
    Endpoint(L.CROSS_TENANT_POLICY, "/policies/crossTenantAccessPolicy"),
    Endpoint(L.CROSS_TENANT_DEFAULT, "/policies/crossTenantAccessPolicy/default"),
    Endpoint(L.CROSS_TENANT_PARTNERS, "/policies/crossTenantAccessPolicy/partners"),
    Endpoint(L.AUTHORIZATION_POLICY, "/policies/authorizationPolicy"),
    Endpoint(L.B2B_MANAGEMENT_POLICY, "/policies/b2bManagementPolicies", version="beta",
             optional=True),
    Endpoint(L.AUTHENTICATION_FLOWS_POLICY, "/policies/authenticationFlowsPolicy", optional=True),
    Endpoint(L.AUTHENTICATION_EVENTS_FLOWS, "/identity/authenticationEventsFlows",
             {"$expand": "conditions/applications/includeApplications"}, version="beta",
             optional=True),
    Endpoint(L.CONDITIONAL_ACCESS, "/identity/conditionalAccess/policies"),
    Endpoint(L.IDENTITY_PROVIDERS, "/identity/identityProviders", optional=True),
    Endpoint(L.B2X_USER_FLOWS, "/identity/b2xUserFlows", {"$expand": "identityProviders"},
             optional=True),
    Endpoint(L.CONNECTED_ORGANIZATIONS, f"{_EM}/connectedOrganizations", optional=True),
    Endpoint(L.ACCESS_PACKAGES, f"{_EM}/accessPackages",
             {"$expand": "catalog,resourceRoleScopes($expand=role,scope)"}, optional=True),
    Endpoint(L.ASSIGNMENT_POLICIES, f"{_EM}/assignmentPolicies", {"$expand": "accessPackage"},
             optional=True),
    Endpoint(L.ACCESS_PACKAGE_ASSIGNMENTS, f"{_EM}/assignments",
             {"$expand": "accessPackage,target"}, optional=True),
    Endpoint(L.ENTITLEMENT_SETTINGS, f"{_EM}/settings", optional=True),
    # AuditLog.Read.All and a P1/P2 licence; a 403 is reported, the rest is still collected
    Endpoint(L.SIGN_IN_ACTIVITY, "/users", {"$select": "id,signInActivity", "$top": "999"},
             paged=True, optional=True),
    Endpoint(L.MTO, "/tenantRelationships/multiTenantOrganization", optional=True),
    Endpoint(L.MTO_TENANTS, "/tenantRelationships/multiTenantOrganization/tenants",
             optional=True),
)


@dataclass(slots=True)
class CollectResult:
    folder: Path
    files: int = 0
    skipped: list[str] = field(default_factory=list)  # failed: the export is incomplete
    absent: list[str] = field(default_factory=list)  # optional features this tenant lacks
    missing: list[tuple[str, str]] = field(default_factory=list)


def collect(
    client: GraphClient,
    out: Path,
    *,
    tenant_id: str,
    endpoints: tuple[Endpoint, ...] = ENDPOINTS,
    notify: Callable[[str], None] | None = None,
) -> CollectResult:
    """Write the tenant's export into `out`; raises MissingPermissions listing every 403."""
    run = _Run(client, out, notify or client.notify, CollectResult(out))
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    for ep in endpoints:
        run.endpoint(ep)
    run.relationships()
    run.sign_ins(tenant_id, started)
    run.write(L.MANIFEST, {
        "format": "tenantgraph-graph-export", "version": 1, "tenantId": tenant_id,
        "graphBaseUrl": client.url("", "v1.0").rstrip("/"), "collectedAt": started.isoformat(),
        "complete": not run.result.missing and not run.result.skipped,
        "skipped": run.result.skipped,
        "absent": run.result.absent,
        "missingPermissions": sorted({p for p, _ in run.result.missing}),
    })
    if run.result.missing:
        raise MissingPermissions(run.result.missing)
    return run.result


class _Run:
    def __init__(self, client: GraphClient, out: Path, notify: Callable[[str], None],
                 result: CollectResult) -> None:
        self.client, self.out, self.notify, self.result = client, out, notify, result
        self.report = Report()  # reading back what was written; problems surface at import

    def write(self, rel: str, body: dict[str, Any]) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False)
        self.result.files += 1

    def failed(self, url: str, exc: Exception, *, optional: bool) -> None:
        what = endpoint_of(url, generic=True)
        if isinstance(exc, MissingPermissions):
            for needed in exc.missing or ((required_permission(url), what),):
                self._missing(needed)
            return
        if optional:
            self.result.absent.append(what)
            self.notify(f"skipped `{what}` (not available in this tenant): {exc}")
        else:
            self.result.skipped.append(what)
            self.notify(f"skipped `{what}`, so the export is incomplete: {exc}")

    def _missing(self, needed: tuple[str, str]) -> None:
        if needed in self.result.missing:
            return
        self.result.missing.append(needed)
        licence = " and a Microsoft Entra ID P1 or P2 licence" if needed[0] == AUDIT_LOG else ""
        self.notify(f"no permission for `{needed[1]}` (needs `{needed[0]}`{licence}); continuing")

    def endpoint(self, ep: Endpoint) -> None:
        try:
            pages = self.client.pages(ep.path, ep.params, version=ep.version)
            if ep.paged:
                n = count = 0
                for n, page in enumerate(pages, start=1):
                    self.write(L.page_file(ep.file, n), page)
                    count += len(page.get("value") or [])
                self.notify(f"collected `{ep.path}`: {count} objects in {n} page(s)")
            else:
                self.write(ep.file, _merge(list(pages)))
        except (MissingPermissions, GraphRequestFailed) as exc:
            self.failed(self.client.url(ep.path, ep.version), exc, optional=ep.optional)

    def batch_files(self, jobs: list[tuple[str, str]], *, absent_ok: bool = False) -> None:
        """GET each `(path, layout file)` through `$batch` and write the non-empty answers."""
        if not jobs:
            return
        answers = self.client.batch([p for p, _ in jobs])
        for (path, rel), sub in zip(jobs, answers, strict=True):
            url = self.client.url(path)
            if sub.status == 200:
                body = self._rest(sub)
                if body.get("value") != []:
                    self.write(rel, body)
            elif sub.status == 403:
                self.failed(url, MissingPermissions([]), optional=False)
            elif not (absent_ok and sub.status == 404):
                err = sub.body.get("error", {}) if isinstance(sub.body, dict) else {}
                self.failed(url, GraphRequestFailed(f"{sub.status} `{err.get('code', '?')}`",
                                                    status=sub.status), optional=False)

    def _rest(self, sub: SubResponse) -> dict[str, Any]:
        """A batched collection page plus the pages behind its `@odata.nextLink`."""
        if not isinstance(sub.body.get("@odata.nextLink"), str):
            return sub.body
        return _merge([sub.body, *self.client.pages(sub.body["@odata.nextLink"])])

    def ids(self, rel: str, key: str = "id", *, paged: bool = False) -> list[dict[str, Any]]:
        source = iter_collection(self.out, rel, self.report) if paged else iter_file(
            self.out / rel, self.report)
        return [obj for _, obj in source if isinstance(obj.get(key), str)]

    def sign_ins(self, tenant_id: str, now: datetime) -> None:
        """Aggregate the retained sign-in log into `signInUsage.json`; raw logs are not kept."""
        since = (now - timedelta(days=SIGN_IN_LOG_DAYS)).strftime("%Y-%m-%dT%H:%M:%SZ")
        path = "/auditLogs/signIns"
        data = TenantData(folder=self.out, label=self.out.name, tenant_id=tenant_id)
        params = {"$filter": f"createdDateTime ge {since}", "$top": "1000"}
        try:
            for n, page in enumerate(self.client.pages(path, params)):
                for i, obj in enumerate(page.get("value") or []):
                    if isinstance(obj, dict):
                        add_raw_sign_in(data, At(self.report, path, (n, i)), obj)
        except (MissingPermissions, GraphRequestFailed) as exc:
            self.failed(self.client.url(path, "v1.0"), exc, optional=True)
            return
        self.write(L.SIGN_IN_USAGE, {"value": usage_entries(data)})
        self.notify(f"collected `{path}` since {since}: {len(data.sign_ins)} cross-tenant "
                    "(user, app) aggregates")

    def relationships(self) -> None:
        groups = self.ids(L.GROUPS, paged=True)
        self.batch_files([(f"/groups/{g['id']}/members?$select=id&$top=999",
                           f"{L.GROUP_MEMBERS}/{g['id']}.json") for g in groups])
        self.batch_files([(f"/servicePrincipals/{s['id']}/appRoleAssignedTo?$top=999",
                           f"{L.APP_ROLE_ASSIGNED_TO}/{s['id']}.json")
                          for s in self.ids(L.SERVICE_PRINCIPALS, paged=True)])
        partners = [p["tenantId"] for p in self.ids(L.CROSS_TENANT_PARTNERS, "tenantId")]
        base = "/policies/crossTenantAccessPolicy/partners"
        self.batch_files([(f"{base}/{t}/identitySynchronization", L.identity_sync_file(t))
                          for t in partners], absent_ok=True)
        self.batch_files([(f"/tenantRelationships/findTenantInformationByTenantId(tenantId='{t}')",
                           f"{L.TENANT_INFORMATION}/{t}.json") for t in partners], absent_ok=True)
        teams = [g["id"] for g in groups if "Team" in (g.get("resourceProvisioningOptions") or [])]
        self.teams(teams)

    def teams(self, teams: list[str]) -> None:
        own = {str(o["id"]).lower() for o in self.ids(L.ORGANIZATION)}
        jobs: list[tuple[str, str]] = []
        for t in teams:
            base = f"{L.TEAMS_DIR}/{t}"
            jobs += [(f"/teams/{t}", f"{base}/team.json"),
                     (f"/teams/{t}/members", f"{base}/members.json"),
                     (f"/teams/{t}/allChannels?$select=id,displayName,membershipType,tenantId",
                      f"{base}/channels.json")]
        self.batch_files(jobs)
        jobs, shared = [], []
        for t in teams:
            for c in self.ids(f"{L.TEAMS_DIR}/{t}/channels.json"):
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
        self.batch_files(jobs)
        allowed = [(f"/teams/{t}/channels/{cid}/sharedWithTeams/{s['id']}/allowedMembers",
                    f"{folder}/sharedWithTeams/{s['id']}/allowedMembers.json")
                   for t, cid, folder in shared
                   for s in self.ids(f"{folder}/sharedWithTeams.json")
                   if not s.get("isHostTeam")]
        self.batch_files(allowed)


def _merge(pages: list[dict[str, Any]]) -> dict[str, Any]:
    """Pages of one collection as one body; a singleton entity is returned as it came."""
    first = pages[0]
    if len(pages) == 1 or not isinstance(first.get("value"), list):
        return first
    merged = {k: v for k, v in first.items() if k != "@odata.nextLink"}
    merged["value"] = [item for page in pages for item in page.get("value") or []]
    return merged
