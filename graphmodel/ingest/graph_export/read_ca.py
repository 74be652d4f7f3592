"""Reading Conditional Access policies: the parts of `conditions` and `grantControls` decisions use.

The model evaluates users, groups, directory roles, guest/external types and tenants,
applications and grant controls.
Conditions it cannot evaluate (platforms, locations, risk, client apps, device filters)
are reported on the policy they occur in, because a policy that would not apply in reality is
then treated as applying (more restrictive answers, never silently fewer).
"""

from __future__ import annotations

import json
from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_file
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import CaGuestsRec, CaRec, TenantData
from graphmodel.ingest.graph_export.values import At, odata_type
from graphmodel.schema.enums import CaState, ExternalUserType, GrantControl, GrantOperator
from graphmodel.schema.ids import derive_id

__all__ = ["read_conditional_access"]

_STRENGTH_BY_ID = {v: k for k, v in L.AUTH_STRENGTH_IDS.items()}
_BUILT_IN = {
    c.value
    for c in GrantControl
    if c not in (GrantControl.TERMS_OF_USE,) and not c.value.startswith("authStrength:")
}
_UNMODELLED = (
    "platforms",
    "locations",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "devices",
    "clientApplications",
    "authenticationFlows",
    "insiderRiskLevels",
)


def read_conditional_access(data: TenantData, report: Report) -> None:
    for at, obj in iter_file(data.folder / L.CONDITIONAL_ACCESS, report):
        rec = _policy(at, obj, data.tenant_id)
        if rec is not None:
            data.ca.append(rec)


def _policy(at: At, obj: dict[str, Any], tenant_id: str) -> CaRec | None:
    pid = at.guid(obj, "id", what="conditional access policy id")
    if pid is None:
        pid = _generated_id(obj, tenant_id)
        name = obj.get("displayName")
        label = f" `{name}`" if isinstance(name, str) else ""
        at.warn("missing-property", f"conditional access policy{label} has no `id`; it still "
                f"applies in Entra, so it is kept under the generated id `{pid}`")
    if "state" in obj:
        state = at.choice(obj, "state", CaState)
        if state is None:
            at.warn("not-modelled", f"policy `{pid}` has a state tenantgraph does not know, so "
                    "it is left out")
            return None
    else:
        at.warn("missing-property", f"policy `{pid}` has no `state`; it is treated as enabled")
        state = CaState.ENABLED
    rec = CaRec(at=at, id=pid, display=at.text(obj, "displayName"), state=state)
    conditions = at.mapping(obj, "conditions") or {}
    c = at.sub("conditions")
    _users(rec, c, c.mapping(conditions, "users") or {})
    apps = c.mapping(conditions, "applications") or {}
    ca = c.sub("applications")
    rec.include_apps = ca.texts(apps, "includeApplications")
    rec.exclude_apps = ca.texts(apps, "excludeApplications")
    ignored = [k for k in _UNMODELLED if _set(conditions.get(k))]
    if [t for t in c.texts(conditions, "clientAppTypes") if t != "all"]:
        ignored.append("clientAppTypes")
    for key in ("includeUserActions", "includeAuthenticationContextClassReferences"):
        if _set(apps.get(key)):
            ignored.append(f"applications.{key}")
    if ignored:
        names = ", ".join(f"`{k}`" for k in ignored)
        c.warn("not-modelled", f"conditions {names} of policy `{pid}` are not modelled; the "
               "policy is evaluated as if they always match")
    _grant(rec, at, at.mapping(obj, "grantControls"))
    return rec


def _generated_id(obj: dict[str, Any], tenant_id: str) -> str:
    """A stable id for a policy exported without one: derived from its tenant and its whole
    body, so importing the same export again yields the same id (and the same handle)."""
    body = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return derive_id("conditionalAccessPolicy", tenant_id, body)


def _set(value: object) -> bool:
    """Whether a condition is configured (not null, not empty, not only empty lists)."""
    if isinstance(value, dict):
        return any(_set(v) for k, v in value.items() if not k.startswith("@"))
    if isinstance(value, list):
        return bool(value)
    return value is not None


def _users(rec: CaRec, c: At, users: dict[str, Any]) -> None:
    u = c.sub("users")
    rec.include_users = u.texts(users, "includeUsers")
    rec.exclude_users = u.texts(users, "excludeUsers")
    rec.include_groups = [g.lower() for g in u.texts(users, "includeGroups")]
    rec.exclude_groups = [g.lower() for g in u.texts(users, "excludeGroups")]
    rec.include_guests = _guests(u, users, "includeGuestsOrExternalUsers")
    rec.exclude_guests = _guests(u, users, "excludeGuestsOrExternalUsers")
    rec.include_roles = [r.lower() for r in u.texts(users, "includeRoles")]
    rec.exclude_roles = [r.lower() for r in u.texts(users, "excludeRoles")]


def _guests(u: At, users: dict[str, Any], key: str) -> CaGuestsRec | None:
    value = u.mapping(users, key)
    if value is None:
        return None
    here = u.sub(key)
    types: tuple[ExternalUserType, ...] | None = None
    raw = here.text(value, "guestOrExternalUserTypes")
    if raw is not None:
        found: list[ExternalUserType] = []
        for part in (p.strip() for p in raw.split(",")):
            if not part or part == "none":
                continue
            match = next((t for t in ExternalUserType if t.value.lower() == part.lower()), None)
            if match is None:
                here.warn("unknown-enum-value", f"guest or external user type `{part}` is not "
                          "known and is ignored", "guestOrExternalUserTypes")
            else:
                found.append(match)
        types = tuple(found)
    tenants: tuple[str, ...] | None = None
    external = here.mapping(value, "externalTenants")
    if external is not None:
        et = here.sub("externalTenants")
        kind = (et.text(external, "membershipKind") or "").lower()
        enumerated = odata_type(external) == "conditionalAccessEnumeratedExternalTenants"
        if kind == "enumerated" or enumerated:
            tenants = tuple(m.lower() for m in et.texts(external, "members"))
        elif kind not in ("all", ""):
            et.warn("unknown-enum-value", f"`membershipKind` `{kind}` is not known; all external "
                    "tenants are assumed", "membershipKind")
    return CaGuestsRec(types=types, tenants=tenants)


def _grant(rec: CaRec, at: At, grant: dict[str, Any] | None) -> None:
    if grant is None:
        return
    g = at.sub("grantControls")
    op = (g.text(grant, "operator") or "OR").upper()
    rec.operator = GrantOperator.AND if op == "AND" else GrantOperator.OR
    for i, control in enumerate(g.texts(grant, "builtInControls")):
        if control in _BUILT_IN:
            rec.grant.append(control)
        else:
            g.warn("not-modelled", f"grant control `{control}` is not modelled and is ignored",
                   "builtInControls", i)
    if g.texts(grant, "termsOfUse"):
        rec.grant.append(GrantControl.TERMS_OF_USE.value)
    strength = g.mapping(grant, "authenticationStrength")
    if strength is not None:
        sid = (g.sub("authenticationStrength").text(strength, "id") or "").lower()
        name = _STRENGTH_BY_ID.get(sid)
        if name is None:
            g.warn("not-modelled", f"custom authentication strength `{sid}` is treated as "
                   "multifactor authentication", "authenticationStrength")
            name = GrantControl.AUTH_STRENGTH_MFA.value
        rec.grant.append(name)
    if g.texts(grant, "customAuthenticationFactors"):
        g.warn("not-modelled", "custom authentication factors are not modelled and are ignored",
               "customAuthenticationFactors")
