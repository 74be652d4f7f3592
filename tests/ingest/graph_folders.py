"""Build tenant export folders for tests from Microsoft's Graph samples and small JSON bodies.

`TenantFolder` writes `organization.json` (unless a test supplies one) and places each sample at
its layout position, so a test reads like the export it stands for:

    folder = TenantFolder(tmp_path, "contoso").sample("users.json", "user/list-users-default.json")
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

from graphmodel.schema import World

__all__ = [
    "CONTOSO_ID",
    "FABRIKAM_ID",
    "SAMPLES",
    "SHARED",
    "TenantFolder",
    "dangling_refs",
    "different_fields",
    "sample_files",
]

SHARED = Path(__file__).resolve().parents[3] / "shared"  # ../shared next to the repository
SAMPLES = SHARED / "graph-samples"
CONTOSO_ID = "84841066-274d-4ec0-a5c1-276be684bdd3"  # organization/get-organization.json
FABRIKAM_ID = "9c5d131d-b1c3-4fc4-9e3f-c6557947d551"  # the partner of the partner samples


def different_fields(a: World, b: World) -> list[str]:
    """World fields whose objects differ, compared as sets (the importer orders objects tenant
    by tenant); `source` is where the world came from and is left out."""
    diffs = []
    for f in dataclasses.fields(World):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, tuple):
            if len(x) != len(y) or any(i not in y for i in x) or any(i not in x for i in y):
                diffs.append(f.name)
        elif f.name != "source" and x != y:
            diffs.append(f.name)
    return diffs


def dangling_refs(w: World) -> list[str]:
    """Every reference in `w` that names no object of `w` (an imported World has none)."""
    users, groups, apps = set(w.user_by_ref), set(w.group_by_ref), set(w.app_by_ref)
    teams, tenants = set(w.team_by_ref), set(w.tenant_by_name)
    keywords = {"All", "GuestsOrExternalUsers", "Office365"}
    wanted: list[tuple[str, set[str]]] = []
    for u in w.users:
        wanted += [(r, users) for r in (u.guest_of, u.synced_from) if r]
        wanted.append((u.tenant, tenants))
    for g in w.groups:
        wanted += [(m, users | groups) for m in g.members]
    for a in w.apps:
        wanted += [(a.instance_of, apps)] if a.instance_of else []
    for x in w.assignments:
        wanted += [(x.principal, users | groups), (x.app, apps)]
    for t in w.teams:
        wanted += [(m, users) for m in t.members]
    for c in w.channels:
        wanted += [(c.team_ref, teams), *((m, users) for m in c.members),
                   *((s, teams) for s in c.shared_with_teams)]
    for p in w.conditional_access:
        refs = (*p.users.include, *p.users.exclude, *p.applications.include,
                *p.applications.exclude)
        wanted += [(r, users | groups | apps) for r in refs if r not in keywords]
        wanted += [(t, tenants) for t in p.users.external_tenants or ()]
        wanted += [(t, tenants) for t in p.users.exclude_external_tenants or ()]
    for o in w.connected_organizations:
        wanted.append((o.identity_tenant, tenants))
    for pkg in w.access_packages:
        wanted += [(r, groups | apps) for r in pkg.resources]
    for pa in w.access_package_assignments:
        wanted += [(pa.package, set(w.access_package_by_ref)), (pa.target, users)]
    for t in w.tenants:
        wanted += [(a, apps) for a in t.external_collaboration.self_service_sign_up.apps]
        wanted += [(p.tenant, tenants) for p in t.identity_providers if p.tenant]
    for inv in w.invitations:
        wanted += [(r, users) for r in (inv.invited_user, inv.invited_by) if r]
    return [ref for ref, known in wanted if ref not in known]


def sample_files() -> list[str]:
    """Every JSON sample, relative to the samples folder, in a stable order."""
    return sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*.json"))


class TenantFolder:
    def __init__(
        self,
        root: Path,
        name: str = "contoso",
        tenant_id: str = CONTOSO_ID,
        domains: tuple[str, ...] | None = None,
        *,
        organization: bool = True,
    ) -> None:
        self.path = root / name
        self.path.mkdir(parents=True, exist_ok=True)
        self.tenant_id = tenant_id
        if organization:
            doms = domains or (f"{name}.com",)
            self.json("organization.json", {"value": [{
                "id": tenant_id, "displayName": name, "tenantType": "AAD",
                "verifiedDomains": [{"name": d, "isDefault": i == 0} for i, d in enumerate(doms)],
            }]})

    def sample(self, rel: str, sample: str) -> TenantFolder:
        """Copy Graph sample `sample` to `rel` (a layout path) in this tenant folder."""
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SAMPLES / sample, target)
        return self

    def json(self, rel: str, body: Any) -> TenantFolder:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(body, indent=1), encoding="utf-8")
        return self

    def users(self, *users: dict[str, Any]) -> TenantFolder:
        return self.json("users.json", {"value": list(users)})

    def sps(self, *sps: dict[str, Any]) -> TenantFolder:
        return self.json("servicePrincipals.json", {"value": list(sps)})
