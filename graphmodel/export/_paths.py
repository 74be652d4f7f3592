"""Path answers as export graphs: one verdict's paths, and who-can-access results.

Nodes are the refs along the paths (principal and resource always, even for a denial, so the
reasons have somewhere to hang); edges are hops, one per distinct (source, target, kind, rule),
tagged with the paths or principals that use them. Node kinds are not in a Verdict, so they are
inferred from the edge rules of the hops (`schema.kinds.EDGE_RULES`) and the ref's shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from graphmodel.export._model import (
    ExportEdge,
    ExportGraph,
    ExportNode,
    Scalar,
    WhoResult,
    clean_attrs,
    edge_style,
    mfa_text,
)
from graphmodel.schema.kinds import EDGE_RULES, NodeKind
from graphmodel.schema.verdict import AccessPath, Verdict

__all__ = ["node_kind", "paths_graph", "reason_summary", "who_graph"]


def node_kind(ref: str, hops_kinds: Mapping[str, str]) -> str:
    """The node kind of a path ref: from the edge rules when they pin it, else from its shape.

    A tenantgraph ref is `tenant` (tenant), `tenant/name` (user, group, app, team, ...) or
    `tenant/team/channel` (channel), so the shape alone tells tenants and channels apart.

    Examples
    --------
    >>> node_kind("contoso/eng/general", {}), node_kind("contoso", {})
    ('Channel', 'Tenant')
    >>> node_kind("contoso/alice", {"contoso/alice": "User"})
    'User'
    """
    if ref in hops_kinds:
        return hops_kinds[ref]
    parts = ref.count("/")
    if parts == 0:
        return NodeKind.TENANT.value
    return NodeKind.CHANNEL.value if parts == 2 else "Object"


def _fits(ref: str, kinds: frozenset[NodeKind]) -> frozenset[NodeKind]:
    """The kinds in `kinds` that a ref of this shape can have."""
    slashes = ref.count("/")
    if slashes == 0:
        return kinds & {NodeKind.TENANT}
    if slashes == 2:
        return kinds & {NodeKind.CHANNEL}
    return kinds - {NodeKind.TENANT, NodeKind.CHANNEL}


def _infer_kinds(paths: Sequence[AccessPath], principals: Sequence[str]) -> dict[str, str]:
    """Node kinds of path refs, by intersecting what each hop's edge rule allows at its ends.

    Paths run principal -> resource, so some hops go against the edge's stored direction
    (`team -[CHANNEL_OF]-> channel`); a hop is read the other way round when only that way fits
    the ref shapes. A ref whose candidates do not narrow to one kind gets none.
    """
    candidates: dict[str, frozenset[NodeKind]] = {p: frozenset({NodeKind.USER}) for p in principals}
    for path in paths:
        for hop in path.hops:
            rule = EDGE_RULES.get(hop.edge)
            if rule is None:
                continue
            ends = (_fits(hop.source, rule.sources), _fits(hop.target, rule.targets))
            if not all(ends):
                ends = (_fits(hop.source, rule.targets), _fits(hop.target, rule.sources))
            for ref, kinds in zip((hop.source, hop.target), ends, strict=True):
                if kinds:
                    candidates[ref] = candidates.get(ref, kinds) & kinds or kinds
    return {ref: next(iter(k)).value for ref, k in candidates.items() if len(k) == 1}


def _path_edges(paths: Sequence[tuple[str, AccessPath]], tag: str) -> tuple[ExportEdge, ...]:
    """Hops as edges. A hop shared by several paths is one edge; attribute `tag` lists the
    labels (path numbers or principals) of the paths that use it."""
    seen: dict[tuple[str, str, str, str], tuple[ExportEdge, list[str]]] = {}
    for label_of_path, path in paths:
        for step, hop in enumerate(path.hops, start=1):
            key = (hop.source, hop.target, hop.edge.value, hop.rule)
            if key in seen:
                used = seen[key][1]
                if label_of_path not in used:
                    used.append(label_of_path)
                continue
            label, colour = edge_style(hop.edge)
            attrs = {
                "rule": hop.rule,
                "policy": hop.policy,
                "source_url": hop.source_url,
                "hop": step,
                "via": path.via.value,
            }
            edge = ExportEdge(
                id=f"{hop.edge.value}:{hop.source}->{hop.target}#{hop.rule}",
                source=hop.source,
                target=hop.target,
                kind=hop.edge.value,
                label=label,
                colour=colour,
                attrs=clean_attrs(attrs),
            )
            seen[key] = (edge, [label_of_path])
    return tuple(
        ExportEdge(
            id=e.id,
            source=e.source,
            target=e.target,
            kind=e.kind,
            label=e.label,
            colour=e.colour,
            attrs={**e.attrs, tag: ",".join(used)},
        )
        for e, used in seen.values()
    )


def _nodes(
    refs: Sequence[str], kinds: Mapping[str, str], extra: Mapping[str, dict[str, Scalar]]
) -> tuple[ExportNode, ...]:
    return tuple(
        ExportNode(
            id=ref,
            label=ref,
            kind=node_kind(ref, kinds),
            attrs={"tenant": ref.split("/", 1)[0], **extra.get(ref, {})},
        )
        for ref in dict.fromkeys(refs)
    )


def reason_summary(verdict: Verdict) -> dict[str, Scalar]:
    """The verdict's reasons as two flat strings (codes; one-line messages with rule and owner)."""
    lines = [
        f"{r.code.value} [{r.rule}] {r.tenant or '-'}/{r.policy or '-'}: {r.message}"
        for r in verdict.reasons
    ]
    return clean_attrs({"reason_codes": ",".join(verdict.codes), "reasons": " | ".join(lines)})


def paths_graph(verdict: Verdict) -> ExportGraph:
    """Every path of one verdict; principal and resource are nodes even when no path exists."""
    numbered = [(str(i), p) for i, p in enumerate(verdict.paths, start=1)]
    kinds = _infer_kinds(verdict.paths, [verdict.principal])
    refs = [verdict.principal, *(n for p in verdict.paths for n in p.nodes), verdict.resource]
    roles: dict[str, dict[str, Scalar]] = {
        verdict.principal: {"role": "principal"},
        verdict.resource: {"role": "resource"},
    }
    attrs: dict[str, Scalar] = {
        "principal": verdict.principal,
        "resource": verdict.resource,
        "decision": verdict.decision.value,
        "mfa": mfa_text(verdict),
        "via": verdict.via.value,
        "partial": verdict.partial,
        "path_count": len(verdict.paths),
        **reason_summary(verdict),
    }
    return ExportGraph(
        name="paths",
        nodes=_nodes(refs, kinds, roles),
        edges=_path_edges(numbered, "paths"),
        attrs=attrs,
    )


def who_graph(resource: str, results: Sequence[WhoResult]) -> ExportGraph:
    """Who can access `resource`: each principal (with decision, MFA, kind and whether it is
    an outsider) and its paths."""
    all_paths = [p for r in results for p in r.verdict.paths]
    kinds = _infer_kinds(all_paths, [r.principal for r in results])
    refs = [resource, *(r.principal for r in results)]
    refs += [n for p in all_paths for n in p.nodes]
    extra: dict[str, dict[str, Scalar]] = {resource: {"role": "resource"}}
    for r in results:
        v = r.verdict
        extra[r.principal] = {
            "role": "principal",
            "decision": v.decision.value,
            "mfa": mfa_text(v),
            "via": v.via.value,
            "path_count": len(v.paths),
            **r.kind_attrs(),
        }
    tagged = [(r.principal, p) for r in results for p in r.verdict.paths]
    attrs: dict[str, Scalar] = {"resource": resource, "principal_count": len(results)}
    return ExportGraph(
        name="who",
        nodes=_nodes(refs, kinds, extra),
        edges=_path_edges(tagged, "principals"),
        attrs=attrs,
    )
