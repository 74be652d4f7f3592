"""World assembly: the top level of a world or scenario file, pass 1, then pass 2 per tenant.

Issues from every part are collected in one `Collector`; the World is built only when there are
none, and the name index is returned either way so a scenario's checks can still be resolved
(and their problems reported alongside the world's) when the world itself is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from graphmodel.errors import Issue
from graphmodel.ingest._collaboration import (
    build_external_collaboration,
    build_identity_providers,
    build_teams_policy,
)
from graphmodel.ingest._conditional_access import build_conditional_access
from graphmodel.ingest._directory import build_apps, build_groups, build_teams
from graphmodel.ingest._entitlement import (
    build_access_packages,
    build_connected_organizations,
    build_entitlement_settings,
)
from graphmodel.ingest._evidence import build_sign_ins
from graphmodel.ingest._fields import Collector
from graphmodel.ingest._index import NameIndex, build_index
from graphmodel.ingest._users import build_users
from graphmodel.ingest._xtap import build_cross_tenant_access
from graphmodel.ingest.yamlsource import Loc, Share
from graphmodel.schema.entities import App, AppRoleAssignment, Channel, Group, Team, Tenant, User
from graphmodel.schema.governance import (
    AccessPackage,
    AccessPackageAssignment,
    ConditionalAccessPolicy,
    ConnectedOrganization,
)
from graphmodel.schema.world import World

__all__ = ["SCENARIO_FIELDS", "WorldBuild", "build_world", "sort_issues"]

SCENARIO_FIELDS = ("title", "source", "rules", "asOf", "world", "checks")
BARE_FIELDS = ("title", "source", "rules", "asOf", "tenants")
TENANT_FIELDS = (
    "name",
    "id",
    "domains",
    "cloud",
    "type",
    "users",
    "groups",
    "apps",
    "teams",
    "crossTenantAccess",
    "externalCollaboration",
    "teamsPolicy",
    "conditionalAccess",
    "connectedOrganizations",
    "accessPackages",
    "entitlementSettings",
    "identityProviders",
    "signIns",
)


@dataclass(slots=True)
class WorldBuild:
    """What building produced: the World (None when there are errors) and the rest."""

    collector: Collector
    index: NameIndex
    top: dict[str, object] = field(default_factory=dict)
    world: World | None = None
    rules: tuple[str, ...] = ()
    wrapped: bool = False  # `world:` form (scenario files) rather than bare `tenants:`


@dataclass(slots=True)
class _Parts:
    tenants: list[Tenant] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    apps: list[App] = field(default_factory=list)
    assignments: list[AppRoleAssignment] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    conditional_access: list[ConditionalAccessPolicy] = field(default_factory=list)
    connected_organizations: list[ConnectedOrganization] = field(default_factory=list)
    access_packages: list[AccessPackage] = field(default_factory=list)
    package_assignments: list[AccessPackageAssignment] = field(default_factory=list)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """File order (issues without a line first), stable within a line."""
    return sorted(issues, key=lambda i: i.line or 0)


def build_world(c: Collector, data: object, progress: Share | None = None) -> WorldBuild:
    """Validate and convert a parsed world or scenario document (issues go to `c`);
    `progress` is told how far through the file pass 2 is."""
    build = WorldBuild(collector=c, index=NameIndex())
    if data is None:
        c.error("empty-document", (), "the document is empty; expected `world:` or `tenants:`")
        return build
    if not isinstance(data, dict):
        c.wrong_type((), "document", "a mapping with `world:` or `tenants:`", data)
        return build
    build.top = data
    build.wrapped = "world" in data or "checks" in data or "tenants" not in data
    if "world" not in data and "tenants" not in data:
        c.error(
            "missing-field",
            (),
            "expected a top-level `world` (a scenario file) or `tenants` (a bare world)",
        )
    if build.wrapped:
        c.mapping(data, (), what="scenario", fields=SCENARIO_FIELDS)
        body = (
            c.mapping(
                data.get("world"),
                ("world",),
                what="world",
                fields=("tenants",),
                required=("tenants",),
            )
            if "world" in data
            else None
        )
        world_loc: Loc = ("world",)
    else:
        c.mapping(data, (), what="world", fields=BARE_FIELDS)
        body, world_loc = data, ()
    build.rules = tuple(text for _, text in c.texts(data.get("rules"), ("rules",), what="rules"))
    title = _optional_text(c, data, "title")
    source = _optional_text(c, data, "source")
    as_of: datetime | None = None
    if data.get("asOf") is not None:
        as_of = c.timestamp(data["asOf"], ("asOf",), what="asOf")
    if body is None:
        return build
    tenant_items = list(c.items(body.get("tenants"), (*world_loc, "tenants"), what="tenants"))
    build.index = build_index(c, tenant_items)
    if progress is not None:  # pass 2 goes through the file in order: follow its lines
        c.follow(progress, last_line=max(c.lines.values(), default=1))
    parts = _Parts()
    for entry in build.index.tenants.values():
        c.mapping(entry.raw, entry.loc, what="tenant", fields=TENANT_FIELDS)
        index = build.index
        parts.users += build_users(c, index, entry)
        parts.groups += build_groups(c, index, entry)
        apps, assignments = build_apps(c, index, entry)
        parts.apps += apps
        parts.assignments += assignments
        teams, channels = build_teams(c, index, entry)
        parts.teams += teams
        parts.channels += channels
        parts.conditional_access += build_conditional_access(c, index, entry)
        parts.connected_organizations += build_connected_organizations(c, index, entry)
        packages, package_assignments = build_access_packages(c, index, entry)
        parts.access_packages += packages
        parts.package_assignments += package_assignments
        parts.tenants.append(
            Tenant(
                name=entry.name,
                id=entry.id,
                domains=entry.domains,
                cloud=entry.cloud,
                type=entry.type,
                cross_tenant_access=build_cross_tenant_access(c, index, entry),
                external_collaboration=build_external_collaboration(c, index, entry),
                teams_policy=build_teams_policy(c, entry),
                entitlement_settings=build_entitlement_settings(c, entry),
                identity_providers=build_identity_providers(c, index, entry),
                sign_ins=build_sign_ins(c, index, entry),
            )
        )
    if not c.errors:
        build.world = World(
            tenants=tuple(parts.tenants),
            users=tuple(parts.users),
            groups=tuple(parts.groups),
            apps=tuple(parts.apps),
            assignments=tuple(parts.assignments),
            teams=tuple(parts.teams),
            channels=tuple(parts.channels),
            conditional_access=tuple(parts.conditional_access),
            connected_organizations=tuple(parts.connected_organizations),
            access_packages=tuple(parts.access_packages),
            access_package_assignments=tuple(parts.package_assignments),
            as_of=as_of,
            title=title,
            source=source,
        )
    return build


def _optional_text(c: Collector, data: dict[str, object], key: str) -> str | None:
    if data.get(key) is None:
        return None
    return c.text(data[key], (key,), what=key)
