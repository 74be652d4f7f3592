"""`import_export`: Microsoft Graph export folders (one per tenant) -> one typed World.

Pass 1 reads every folder into records (streaming, located warnings); pass 2 names objects,
links guests to their home accounts across folders, resolves every id to a handle and builds the
World. What cannot be mapped is a warning with file and JSON path. What cannot be *read* (a file
that is not JSON, is truncated, or breaks a bound) stops the import by default (`ExportUnreadable`,
nothing is stored): a Conditional Access policy or a block left out would read as "not
configured" and open access. With `allow_partial` the rest is imported, only the unreadable items
are left out where the file allows it (one over-deep user of `users.json`), and the World's
`source` says what was left out (`graphmodel.schema.omissions`); policy files are never left out.
A folder that cannot be identified as a tenant at all (no readable `organization.json`) always
stops the import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from graphmodel.errors import ExportUnreadable, Issue, WorldInvalid
from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.build_directory import build_directory
from graphmodel.ingest.graph_export.build_policies import build_governance, build_tenants
from graphmodel.ingest.graph_export.link import Linker
from graphmodel.ingest.graph_export.read_ca import read_conditional_access
from graphmodel.ingest.graph_export.read_directory import (
    read_apps,
    read_groups,
    read_organization,
    read_roles,
    read_users,
)
from graphmodel.ingest.graph_export.read_governance import read_governance
from graphmodel.ingest.graph_export.read_settings import read_settings
from graphmodel.ingest.graph_export.read_teams import read_teams
from graphmodel.ingest.graph_export.read_xtap import read_cross_tenant_access
from graphmodel.ingest.graph_export.reader import Progress, Report
from graphmodel.ingest.graph_export.records import TenantData
from graphmodel.ingest.graph_export.sign_ins import link_sign_ins, read_sign_ins
from graphmodel.schema.enums import DirectoryRole
from graphmodel.schema.omissions import Omission, mark_partial, summarise
from graphmodel.schema.world import World

__all__ = ["import_export", "tenant_folders"]


def tenant_folders(dirs: Sequence[Path]) -> tuple[list[Path], list[Issue]]:
    """The tenant folders named by `dirs`: a tenant folder itself, or a folder of them."""
    found: list[Path] = []
    problems: list[Issue] = []
    for d in dirs:
        if not d.is_dir():
            problems.append(Issue(code="missing-file", loc=(), file=str(d),
                                  msg=f"`{d}` is not a folder"))
        elif (d / L.ORGANIZATION).is_file():
            found.append(d)
        else:
            subs = sorted(p for p in d.iterdir() if (p / L.ORGANIZATION).is_file())
            if not subs:
                problems.append(Issue(
                    code="missing-file", loc=(), file=str(d),
                    msg=f"`{d}` holds no `{L.ORGANIZATION}`, neither itself nor in a subfolder, "
                    "so it is not a tenant export"))
            found.extend(subs)
    return found, problems


def import_export(
    dirs: Sequence[Path],
    progress: Progress | None = None,
    read_bytes: Callable[[int], None] | None = None,
    *,
    allow_partial: bool = False,
) -> tuple[World, list[Issue]]:
    """Read the export folders and build one World; returns it with every warning.

    `progress` is told objects read per file, `read_bytes` the bytes read over all files.
    Raises WorldInvalid (every located problem) when a folder is not a readable tenant export,
    and ExportUnreadable (each file not read, and why) when parts of it cannot be read, unless
    `allow_partial`: then only parts of policy files stop the import, and the World's `source`
    names what was left out.
    """
    folders, problems = tenant_folders([Path(d) for d in dirs])
    roots = tuple(dict.fromkeys(f.parent for f in folders))
    report = Report(roots=roots, progress=progress, read_bytes=read_bytes)
    datas: list[TenantData] = []
    for folder in folders:
        data = TenantData(folder=folder, label=folder.name)
        if not read_organization(data, report):
            problems.append(Issue(
                code="missing-property", loc=(), file=report.rel(folder / L.ORGANIZATION),
                msg="no organization with a tenant `id` was found, so the folder cannot be "
                "imported"))
            continue
        for read in (read_users, read_roles, read_groups, read_apps, read_cross_tenant_access,
                     read_settings, read_conditional_access, read_teams, read_governance,
                     read_sign_ins):
            read(data, report)
        datas.append(data)
    if problems or not datas:
        raise WorldInvalid(problems or [Issue(code="missing-file", loc=(),
                                              msg="no export folder was given")])
    _refuse_unread(report, allow_partial=allow_partial)
    lk = Linker(report, datas)
    lk.name_tenants()
    lk.name_users()
    lk.link_homes()
    directory = build_directory(lk)
    roles: dict[tuple[str, str], tuple[DirectoryRole, ...]] = {
        (lk.name_of(d), uid): tuple(found) for d in datas for uid, found in d.roles.items()
    }
    users = lk.build_users(roles)
    tenants = build_tenants(lk)
    by_ref = {u.ref: u for u in users}
    governance = build_governance(lk, by_ref)
    first = next((d for d in datas if d.as_of is not None), None)
    world = World(
        tenants=(*tenants, *lk.placeholder_tenants),
        users=(*users, *lk.placeholder_users),
        groups=tuple(directory.groups),
        apps=tuple(directory.apps),
        assignments=tuple(directory.assignments),
        teams=(*directory.teams, *lk.placeholder_teams),
        channels=tuple(directory.channels),
        conditional_access=tuple(governance.conditional_access),
        connected_organizations=tuple(governance.connected_organizations),
        access_packages=tuple(governance.access_packages),
        access_package_assignments=tuple(governance.access_package_assignments),
        invitations=tuple(governance.invitations),
        as_of=first.as_of if first is not None else None,
        title=next((d.title for d in datas if d.title), None),
        source=mark_partial(
            next((d.source for d in datas if d.source), None) or ", ".join(str(f) for f in folders),
            summarise([o for o, _ in report.omissions]),
        ),
    )
    return link_sign_ins(world, datas), report.issues


def _refuse_unread(report: Report, *, allow_partial: bool) -> None:
    """Raise ExportUnreadable for what was not read (with `allow_partial`: of policy files)."""
    refused = [
        issue for omission, issue in report.omissions
        if not allow_partial or _in_policy_file(omission)
    ]
    if refused:
        raise ExportUnreadable(refused)


def _in_policy_file(omission: Omission) -> bool:
    return L.is_policy_file(omission.file.partition("/")[2])
