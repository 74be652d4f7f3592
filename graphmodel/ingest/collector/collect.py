"""`collect`: pull one tenant's export layout live from Microsoft Graph, in full or by delta.

Writes the same files `import_export` reads (names from `graph_export.layout`). The
organization is read first (its `tenantType` decides whether delta query is available); the
small single-file endpoints (policies, settings, role assignments...) go through `$batch`, 20
at a time, and are read on every run: they have no delta and are small. Per-object
relationships (members, app role assignments, partner sync settings, Teams) go through
`$batch` too. A missing permission does not stop the run: every 403 is collected and reported
once at the end, with the permission to grant.

With a `SyncState` the directory collections are read through their delta functions: the
first run (or `full`) is an initial round and remembers each `@odata.deltaLink`; later runs
ask only for changes and merge them into the folder (`merge`), so the folder always reads as a
full collection would. An expired token falls back to a full round of that resource (said
once). Data without delta is re-read in full when `refresh_after` has passed since its last
full read, and otherwise only for the objects known to have changed (changed service
principals and those named by app role assignment audit events; teams whose group changed).
Azure AD B2C and External ID (CIAM) tenants have no delta query: they are always read in full.
Without a state, everything is read in full and nothing is remembered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from graphmodel.ingest.collector import relationships as R
from graphmodel.ingest.collector.delta import ResyncRequired, read_round
from graphmodel.ingest.collector.endpoints import (
    DELTA_RESOURCES,
    ENDPOINTS,
    USER_SELECT,
    DeltaResource,
    Endpoint,
)
from graphmodel.ingest.collector.errors import GraphRequestFailed, MissingPermissions
from graphmodel.ingest.collector.graph import GraphClient
from graphmodel.ingest.collector.merge import ChangeRound, FullRound, RoundResult
from graphmodel.ingest.collector.run import CollectResult, CollectRun
from graphmodel.ingest.collector.state import SyncState, query_key
from graphmodel.ingest.graph_export import layout as L

__all__ = [
    "DEFAULT_REFRESH",
    "ENDPOINTS",
    "NO_DELTA_TENANT_TYPES",
    "USER_SELECT",
    "CollectResult",
    "Endpoint",
    "collect",
]

DEFAULT_REFRESH = timedelta(hours=6)
"""How old the data Graph has no delta for (Teams, app role assignments, sign-in evidence) may
get before a run re-reads all of it."""
NO_DELTA_TENANT_TYPES = frozenset({"aadb2c", "ciam"})
"""`organization.tenantType` values (spaces removed, lower case) without delta query."""


@dataclass(slots=True)
class _Plan:
    """What this run reads of the data without delta; None = everything."""

    delta: bool
    refresh: bool
    assignments: set[str] | None = None
    teams: set[str] | None = None
    gone_groups: frozenset[str] = frozenset()


def collect(
    client: GraphClient,
    out: Path,
    *,
    tenant_id: str,
    endpoints: tuple[Endpoint, ...] = ENDPOINTS,
    notify: Callable[[str], None] | None = None,
    state: SyncState | None = None,
    full: bool = False,
    refresh_after: timedelta = DEFAULT_REFRESH,
) -> CollectResult:
    """Write the tenant's export into `out`; raises MissingPermissions listing every 403.

    `state` (updated in place and saved into `out`) turns on delta reads; `full` ignores its
    links for this run.
    """
    run = CollectRun(client, out, notify or client.notify, CollectResult(out))
    out.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    first, rest = endpoints[0], endpoints[1:]
    run.endpoint(first)  # the organization: the tenant's type decides what follows
    plan = _plan(run, state, full, started, refresh_after)
    delta_files = {r.endpoint.file for r in DELTA_RESOURCES} if plan.delta else set()
    rounds: dict[str, RoundResult] = {}
    if plan.delta and state is not None:
        for resource in DELTA_RESOURCES:
            found = _delta(run, resource, state, full)
            if found is not None:
                rounds[resource.name] = found
    for ep in rest:
        if ep.paged and ep.file not in delta_files and (
            plan.refresh or ep.file != L.SIGN_IN_ACTIVITY
        ):
            run.endpoint(ep)
    run.batch_endpoints([ep for ep in rest if not ep.paged])
    _relationships(run, plan, rounds, state, started)
    if plan.refresh:
        R.sign_ins(run, tenant_id, started)
    run.write(L.MANIFEST, {
        "format": "tenantgraph-graph-export", "version": 1, "tenantId": tenant_id,
        "graphBaseUrl": client.url("", "v1.0").rstrip("/"), "collectedAt": started.isoformat(),
        "complete": not run.result.missing and not run.result.skipped,
        "skipped": run.result.skipped,
        "absent": run.result.absent,
        "missingPermissions": sorted({p for p, _ in run.result.missing}),
    })
    if state is not None:
        state.last_run = started
        if plan.refresh:
            state.refreshed = started
        state.save(out)
    if run.result.missing:
        raise MissingPermissions(run.result.missing)
    return run.result


def _plan(run: CollectRun, state: SyncState | None, full: bool, now: datetime,
          refresh_after: timedelta) -> _Plan:
    if state is None:
        return _Plan(delta=False, refresh=True)
    kinds = {str(o.get("tenantType", "")).replace(" ", "").lower()
             for o in run.ids(L.ORGANIZATION)}
    if kinds & NO_DELTA_TENANT_TYPES:
        run.notify(f"tenant type `{', '.join(sorted(kinds))}` has no delta query in microsoft "
                   "graph: reading the directory in full")
        state.links.clear()
        state.queries.clear()
        return _Plan(delta=False, refresh=True)
    due = state.refreshed is None or now - state.refreshed >= refresh_after
    return _Plan(delta=True, refresh=full or due)


def _delta(run: CollectRun, resource: DeltaResource, state: SyncState,
           full: bool) -> RoundResult | None:
    """One delta round of `resource` merged into the folder; None when it could not be read."""
    key = query_key(resource.path, resource.params)
    link = None if full else state.link(resource.name, key)
    base, members = resource.endpoint.file, resource.members
    try:
        try:
            sink: FullRound | ChangeRound = (
                FullRound(run.out, base, members=members, written=run.wrote) if link is None
                else ChangeRound(run.out, base, members=members, written=run.wrote))
            new_link, pages = read_round(run.client, resource.path, resource.params, link, sink)
        except ResyncRequired as exc:
            run.notify(f"{exc}: reading `{resource.endpoint.path}` in full")
            state.forget(resource.name)
            sink = FullRound(run.out, base, members=members, written=run.wrote)
            new_link, pages = read_round(run.client, resource.path, resource.params, None, sink)
    except (MissingPermissions, GraphRequestFailed) as exc:
        if isinstance(sink, FullRound):
            sink.discard()
        state.forget(resource.name)
        run.failed(run.client.url(resource.path), exc, optional=False)
        return None
    found = sink.finish()
    state.remember(resource.name, key, new_link)
    what = "full read" if found.full else "changes"
    count = "" if found.objects is None else f", {found.objects} in all"
    run.result.rounds[resource.name] = what
    run.notify(f"collected `{resource.path}` ({what}): {found.upserted} objects, "
               f"{found.removed} removed, {found.member_changes} membership changes in "
               f"{pages} page(s){count}")
    return found


def _relationships(run: CollectRun, plan: _Plan, rounds: dict[str, RoundResult],
                   state: SyncState | None, started: datetime) -> None:
    if not plan.delta:
        R.group_members(run)
    R.partners(run)
    sps, groups = rounds.get("servicePrincipals"), rounds.get("groups")
    if plan.refresh or sps is None or sps.full:
        R.assignments(run)
    else:
        since = (state.last_run if state is not None and state.last_run else started)
        audited = R.audited_service_principals(run, since - R.AUDIT_MARGIN)
        if audited is None:
            run.notify("the directory audit log cannot be read: re-reading the app role "
                       "assignments of every service principal")
            R.assignments(run)
        else:
            R.assignments(run, sps.changed | audited, sps.gone)
    if plan.refresh or groups is None or groups.full:
        R.teams(run)
    else:
        R.teams(run, groups.changed, groups.gone)
