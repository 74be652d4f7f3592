"""The Cypher catalog: every statement is a named `cypher/**/*.cypher` file, loaded at start-up.

Why files: statements stay reviewable as Cypher (and parseable by Neo4j's own linter), values
travel only as `$parameters`, and a test can prove that every file is used and every used name
has a file. A file's name is its path without `.cypher` (`cypher/nodes/get_node.cypher` is
`nodes/get_node`) and it opens with a header::

    // name: nodes/get_node
    // params: $namespace, $key          (or `none`)
    // returns: kind, props
    // template: node_kind                (optional: a label slot, see `labels.py`)
    // any further comment lines describe the statement

`load_catalog` fails fast, listing every problem: a used name without a file, a file nobody uses
(the store's names are `QueryName`; files under `audit/` are used by `audit_queries()`), a header
that disagrees with the text (name, `$params`, template slot), or more than one statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Final

from graphmodel.schema.kinds import EdgeKind, NodeKind
from graphmodel.stores.base import MetaKind
from graphmodel.stores.neo4j.labels import Slot, render

__all__ = [
    "AUDIT_PREFIX",
    "Catalog",
    "CatalogError",
    "Query",
    "QueryName",
    "audit_queries",
    "code_text",
    "default_catalog",
    "load_catalog",
]

AUDIT_PREFIX: Final = "audit/"
_PARAM: Final = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER: Final = re.compile(r"//\s*(name|params|returns|template):\s*(.*)")


class QueryName(StrEnum):
    """Every statement the store runs; each member must have a file and a use in the code."""

    PROBE_SERVER = "schema/probe_server"
    PING_SERVER = "schema/ping_server"
    CREATE_SNAPSHOT_ID_CONSTRAINT = "schema/neo4j5/create_snapshot_id_constraint"
    CREATE_NAMESPACE_NAME_CONSTRAINT = "schema/neo4j5/create_namespace_name_constraint"
    CREATE_META_VERSION_CONSTRAINT = "schema/neo4j5/create_meta_version_constraint"
    CREATE_NODE_KIND_INDEX = "schema/neo4j5/create_node_kind_index"
    CREATE_NODE_SEQ_INDEX_NEO4J5 = "schema/neo4j5/create_node_seq_index"
    DROP_NODE_IDENTITY_CONSTRAINT = "schema/neo4j5/drop_node_identity_constraint"
    CREATE_NODE_KEY_INDEX_NEO4J5 = "schema/neo4j5/create_node_key_index"
    CREATE_NODE_FROM_INDEX_NEO4J5 = "schema/neo4j5/create_node_from_index"
    CREATE_NODE_TO_INDEX_NEO4J5 = "schema/neo4j5/create_node_to_index"
    CREATE_TEXT_KEY_INDEX_NEO4J5 = "schema/neo4j5/create_text_key_index"
    LIST_INDEXES = "schema/opencypher/list_indexes"
    CREATE_NODE_KEY_INDEX = "schema/opencypher/create_node_key_index"
    CREATE_NODE_SNAPSHOT_INDEX = "schema/opencypher/create_node_snapshot_index"
    CREATE_NODE_SEQ_INDEX = "schema/opencypher/create_node_seq_index"
    CREATE_TEXT_SNAPSHOT_INDEX = "schema/opencypher/create_text_snapshot_index"
    CREATE_SNAPSHOT_ID_INDEX = "schema/opencypher/create_snapshot_id_index"
    CREATE_NAMESPACE_NAME_INDEX = "schema/opencypher/create_namespace_name_index"
    CREATE_NODE_FROM_INDEX = "schema/opencypher/create_node_from_index"
    CREATE_NODE_TO_INDEX = "schema/opencypher/create_node_to_index"
    CREATE_TEXT_KEY_INDEX = "schema/opencypher/create_text_key_index"
    UPGRADE_SCHEMA = "snapshots/upgrade_schema"
    ENSURE_NAMESPACE = "snapshots/ensure_namespace"
    ALLOCATE_SNAPSHOT = "snapshots/allocate_snapshot"
    PUBLISH_SNAPSHOT = "snapshots/publish_snapshot"
    GET_CURRENT_SNAPSHOT = "snapshots/get_current_snapshot"
    GET_SNAPSHOT = "snapshots/get_snapshot"
    FIND_SNAPSHOT_BY_REQUEST = "snapshots/find_snapshot_by_request"
    LIST_SNAPSHOTS = "snapshots/list_snapshots"
    LIST_SNAPSHOT_STATES = "snapshots/list_snapshot_states"
    DELETE_SNAPSHOT_NODES = "snapshots/delete_snapshot_nodes"
    DELETE_SNAPSHOT = "snapshots/delete_snapshot"
    DELETE_SNAPSHOT_TEXTS = "snapshots/delete_snapshot_texts"
    DELETE_NAMESPACE = "snapshots/delete_namespace"
    CLAIM_WRITER = "snapshots/claim_writer"
    RELEASE_WRITER = "snapshots/release_writer"
    LIST_CHANGE_CHAIN = "snapshots/list_change_chain"
    CREATE_NODES = "nodes/create_nodes"
    CREATE_TEXT_PARTS = "nodes/create_text_parts"
    COUNT_TEXT_PARTS = "nodes/count_text_parts"
    COUNT_NODES = "nodes/count_nodes"
    LIST_TEXT_PARTS = "nodes/list_text_parts"
    GET_NODE = "nodes/get_node"
    LIST_NODES = "nodes/list_nodes"
    LIST_SNAPSHOT_NODES = "nodes/list_snapshot_nodes"
    LIST_SNAPSHOT_NODES_PAGE = "nodes/list_snapshot_nodes_page"
    CREATE_EDGES = "edges/create_edges"
    COUNT_EDGES = "edges/count_edges"
    LIST_OUT_EDGES = "edges/list_out_edges"
    LIST_IN_EDGES = "edges/list_in_edges"
    LIST_TRUST_EDGES = "trust/list_trust_edges"
    PUBLISH_TRUST_GENERATION = "trust/publish_trust_generation"
    DELETE_TRUST_GENERATION = "trust/delete_trust_generation"
    SWEEP_TRUST_EDGES = "trust/sweep_trust_edges"
    GET_NODES_BY_KEYS = "lookups/get_nodes_by_keys"
    LIST_OUT_EDGES_OF_KEYS = "lookups/list_out_edges_of_keys"
    LIST_IN_EDGES_OF_KEYS = "lookups/list_in_edges_of_keys"
    LIST_HOMED_NODES = "lookups/list_homed_nodes"
    LIST_BUILTIN_APPS = "lookups/list_builtin_apps"
    CREATE_VERSIONS = "versions/create_nodes"
    CREATE_VERSION_TEXTS = "versions/create_text_parts"
    COUNT_VERSION_TEXTS = "versions/count_text_parts"
    CREATE_VERSION_EDGES = "versions/create_edges"
    COUNT_VERSION_EDGES = "versions/count_edges"
    CLOSE_VERSIONS = "versions/close_nodes"
    CLOSE_EDGES_OF_VERSIONS = "versions/close_edges_of_nodes"
    CLOSE_VERSION_EDGES = "versions/close_edges"
    LIST_MOVING_EDGES = "versions/list_moving_edges"
    MOVE_OUT_EDGES = "versions/move_out_edges"
    MOVE_IN_EDGES = "versions/move_in_edges"
    DELETE_CREATED_VERSIONS = "versions/delete_created_nodes"
    DELETE_CREATED_EDGES = "versions/delete_created_edges"
    REOPEN_VERSIONS = "versions/reopen_nodes"
    REOPEN_EDGES = "versions/reopen_edges"
    DELETE_CREATED_TEXTS = "versions/delete_created_texts"
    DELETE_CLOSED_TEXTS = "prune/delete_closed_texts"
    DELETE_CLOSED_VERSIONS = "prune/delete_closed_nodes"
    DELETE_CLOSED_EDGES = "prune/delete_closed_edges"
    DELETE_TEXTS_BY_KEY = "prune/delete_texts_by_key"


class CatalogError(ValueError):
    """The `cypher/` directory and the code disagree; `problems` lists every disagreement."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


@dataclass(frozen=True, slots=True, kw_only=True)
class Query:
    """One statement: `text` is what is sent (comment lines removed), `source` the whole file."""

    name: str
    text: str
    source: str
    params: frozenset[str]
    returns: str
    template: Slot | None = None
    description: str = ""


def code_text(source: str) -> str:
    """`source` with comments, string literals and quoted names blanked out (same length).

    Examples
    --------
    >>> code_text("RETURN '$no' AS `$x`, $yes // $comment")
    'RETURN  AS , $yes '
    """
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif ch in "'\"`":
            i += 1
            while i < n and source[i] != ch:
                i += 2 if source[i] == "\\" and ch != "`" else 1
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _parse(name: str, source: str) -> tuple[Query | None, list[str]]:
    header: dict[str, str] = {}
    description: list[str] = []
    body: list[str] = []
    for line in source.splitlines():
        stripped = line.strip()
        if not body and stripped.startswith("//"):
            if match := _HEADER.fullmatch(stripped):
                header[match[1]] = match[2].strip()
            else:
                description.append(stripped.removeprefix("//").strip())
        elif stripped and not stripped.startswith("//"):
            body.append(line.rstrip())
    problems = [
        f"`{name}`: no `// {k}:` header" for k in ("name", "params", "returns") if k not in header
    ]
    if problems:
        return None, problems
    if header["name"] != name:
        problems.append(f"`{name}`: its header says `// name: {header['name']}`")
    declared = (
        set()
        if header["params"] == "none"
        else {p.strip().removeprefix("$") for p in header["params"].split(",")}
    )
    code = code_text("\n".join(body))
    used = set(_PARAM.findall(code))
    if used != declared:
        missing, extra = sorted(used - declared), sorted(declared - used)
        problems.append(f"`{name}`: `params:` lacks {missing} and names unused {extra}")
    if ";" in code.rstrip().removesuffix(";"):
        problems.append(f"`{name}`: holds more than one statement")
    template = None
    if "template" in header:
        try:
            template = Slot(header["template"])
        except ValueError:
            problems.append(f"`{name}`: unknown template slot `{header['template']}`")
    for slot in Slot:
        if (slot.marker in source) != (slot is template):
            problems.append(f"`{name}`: `// template:` header and `{slot.marker}` slot disagree")
    text = "\n".join(body).rstrip().removesuffix(";")
    query = Query(
        name=name,
        text=text,
        source=source,
        params=frozenset(declared),
        returns=header["returns"],
        template=template,
        description=" ".join(description),
    )
    return query, problems


def _walk(folder: Traversable, prefix: str = "") -> Iterable[tuple[str, str]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _walk(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".cypher"):
            yield prefix + entry.name.removesuffix(".cypher"), entry.read_text(encoding="utf-8")


class Catalog:
    """The loaded statements by name, with templates rendered once per kind."""

    def __init__(self, queries: Mapping[str, Query]) -> None:
        self._queries = dict(queries)
        self._rendered: dict[tuple[str, str | None, str | None], str] = {}

    def __getitem__(self, name: QueryName) -> Query:
        return self._queries[name.value]

    def names(self) -> list[str]:
        return sorted(self._queries)

    def text(
        self,
        name: QueryName,
        *,
        node_kind: NodeKind | MetaKind | None = None,
        edge_kind: EdgeKind | None = None,
    ) -> str:
        """The statement as sent, with its template slot (if any) filled by `labels.render`."""
        key = (name.value, node_kind, edge_kind)
        text = self._rendered.get(key)
        if text is None:
            text = render(self[name].text, node_kind=node_kind, edge_kind=edge_kind)
            self._rendered[key] = text
        return text

    def audit(self) -> tuple[Query, ...]:
        """The audit queries (files under `cypher/audit/`), by name."""
        return tuple(q for n, q in sorted(self._queries.items()) if n.startswith(AUDIT_PREFIX))


def load_catalog(
    root: Traversable | None = None, *, used: Iterable[str] = tuple(QueryName)
) -> Catalog:
    """Load every `*.cypher` under `root` (default: the `cypher` package); raise `CatalogError`.

    `used` are the names the code runs; files under `audit/` count as used (they are the
    public `audit_queries()`) and must take no parameters, so they paste into Neo4j Browser.
    """
    folder = root if root is not None else resources.files("cypher")
    queries: dict[str, Query] = {}
    problems: list[str] = []
    for name, source in _walk(folder):
        query, found = _parse(name, source)
        problems += found
        if query is not None:
            queries[name] = query
            if name.startswith(AUDIT_PREFIX) and query.params:
                problems.append(f"`{name}`: an audit query takes no parameters")
    wanted = {str(n) for n in used}
    problems += [
        f"`{n}`: used by the store but there is no `{n}.cypher`"
        for n in sorted(wanted - set(queries))
    ]
    problems += [
        f"`{n}`: `{n}.cypher` is never used"
        for n in sorted(set(queries) - wanted)
        if not n.startswith(AUDIT_PREFIX)
    ]
    if problems:
        raise CatalogError(problems)
    return Catalog(queries)


@cache
def default_catalog() -> Catalog:
    """The catalog of the installed `cypher` package, loaded (and checked) once per process."""
    return load_catalog()


def audit_queries() -> tuple[Query, ...]:
    """The shipped audit queries, for Neo4j Browser or `Neo4jStore.run_audit`.

    Examples
    --------
    >>> [q.name for q in audit_queries()][:2]
    ['audit/list_external_identities_reaching_apps', 'audit/list_one_sided_direct_connect']
    """
    return default_catalog().audit()
