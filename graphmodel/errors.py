"""Error hierarchy for tenantgraph, with stable machine codes.

    GraphModelError                      code
    ├── SchemaError                      schema-error
    │   └── WorldInvalid                 world-invalid      (.issues: every located problem)
    │       └── ExportUnreadable         export-unreadable  (files of an export not read)
    ├── StoreError                       store-error
    │   ├── NotFound (LookupError)       not-found
    │   │   ├── NodeNotFound             node-not-found     (.ref, .suggestion)
    │   │   ├── StoreNotFound            store-not-found    (.path: no store file there)
    │   │   ├── StoreEmpty               store-empty        (a store without any snapshot)
    │   │   └── SnapshotNotFound         snapshot-not-found (.snapshot_id)
    │   ├── Conflict                     conflict
    │   │   └── SnapshotConflict         conflict           (.base, .current)
    │   ├── RequestReplayed              already-applied    (.request_key, .snapshot_id)
    │   ├── StoreIncompatible            store-incompatible (not a store of ours, corrupt)
    │   ├── StoreFull                    store-full         (no space left: free some)
    │   └── StoreUnavailable             store-unavailable  (retryable)
    ├── PolicyError                      policy-error
    │   └── PolicyInvalid                policy-invalid
    └── QueryError (ValueError)          query-invalid
        ├── PathLimitExceeded            path-limit-exceeded
        └── ChangeSetTooLarge            query-too-complex  (.count, .limit)

Messages follow one style: lower-case, one sentence, no final period, user input in
backticks. Clients switch on `code`, never on the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ChangeSetTooLarge",
    "Conflict",
    "ErrorCode",
    "ExportUnreadable",
    "GraphModelError",
    "Issue",
    "NodeNotFound",
    "NotFound",
    "PathLimitExceeded",
    "PolicyError",
    "PolicyInvalid",
    "QueryError",
    "RequestReplayed",
    "SchemaError",
    "SnapshotNotFound",
    "StoreEmpty",
    "StoreError",
    "StoreFull",
    "StoreIncompatible",
    "StoreNotFound",
    "StoreUnavailable",
    "WorldInvalid",
    "error_extensions",
    "issue_data",
]

ErrorCode = Literal[
    "graph-model-error",
    "schema-error",
    "world-invalid",
    "export-unreadable",
    "store-error",
    "not-found",
    "node-not-found",
    "store-not-found",
    "store-empty",
    "snapshot-not-found",
    "conflict",
    "already-applied",
    "store-incompatible",
    "store-unavailable",
    "store-full",
    "policy-error",
    "policy-invalid",
    "query-invalid",
    "path-limit-exceeded",
    "query-too-complex",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """One located problem in an input document (world file, Graph export, mutation).

    `loc` is the path inside the document (`("tenants", 0, "users", 3, "guestOf")`),
    `file` and `line` say where it is when known.
    """

    code: str
    loc: tuple[str | int, ...]
    msg: str
    file: str | None = None
    line: int | None = None
    ctx: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The location as a readable path: `tenants[0].users[3].guestOf`."""
        out = ""
        for part in self.loc:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += f".{part}" if out else part
        return out or "<document>"

    def render(self) -> str:
        """`file:line: path: message (code)` — the form the CLI prints."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.path}: {self.msg} ({self.code})"


class GraphModelError(Exception):
    """Root of every error tenantgraph raises on purpose."""

    code: ErrorCode = "graph-model-error"
    retryable: bool = False


class SchemaError(GraphModelError):
    code: ErrorCode = "schema-error"


class WorldInvalid(SchemaError):
    """A document failed validation; `issues` lists every problem, not just the first."""

    code: ErrorCode = "world-invalid"

    def __init__(self, issues: list[Issue] | tuple[Issue, ...]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        n = len(self.issues)
        first = self.issues[0].render() if self.issues else "no details"
        super().__init__(f"{n} problem{'s' if n != 1 else ''} in the input: {first}")


class ExportUnreadable(WorldInvalid):
    """Parts of an export could not be read at all; `issues` names each file and why.

    Why an error and not a warning: a Conditional Access policy or a block left out reads as
    "not configured" and opens access, so an import with unreadable parts stores nothing unless
    the operator asked for a partial import (and never leaves out a policy file).
    """

    code: ErrorCode = "export-unreadable"


class StoreError(GraphModelError):
    code: ErrorCode = "store-error"


class NotFound(StoreError, LookupError):
    code: ErrorCode = "not-found"


class NodeNotFound(NotFound):
    code: ErrorCode = "node-not-found"

    def __init__(
        self, ref: str, *, kind: str = "node", suggestion: str | None = None, note: str = ""
    ) -> None:
        self.ref = ref
        self.kind = kind
        self.suggestion = suggestion
        hint = f"; did you mean `{suggestion}`?" if suggestion else ""
        more = f"; {note}" if note else ""
        super().__init__(f"{kind} `{ref}` not found{more}{hint}")


class StoreNotFound(NotFound):
    """A command that only reads was pointed at a store file that is not there.

    Why an error and not an empty store: opening would create the file, and a typo in `--db`
    would then look like "principal not found" instead of naming the wrong path.
    """

    code: ErrorCode = "store-not-found"

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(
            f"store file `{path}` does not exist; load a world first (tenantgraph load FILE)"
        )


class StoreEmpty(NotFound):
    """A question was asked of a store that holds no snapshot yet.

    Why an error of its own: the empty World would answer "principal not found", which sends
    the user looking for a typo instead of loading a world.
    """

    code: ErrorCode = "store-empty"

    def __init__(self) -> None:
        super().__init__(
            "the store holds no snapshot yet: load a world first "
            "(`tenantgraph load FILE` or `tenantgraph import DIR`)"
        )


class SnapshotNotFound(NotFound):
    code: ErrorCode = "snapshot-not-found"

    def __init__(self, snapshot_id: int | str) -> None:
        self.snapshot_id = snapshot_id
        super().__init__(f"snapshot `{snapshot_id}` not found")


class Conflict(StoreError):
    code: ErrorCode = "conflict"


class SnapshotConflict(Conflict):
    """A write computed from snapshot `base` lost the race: `current` was published meanwhile.

    Nothing was written. The caller re-applies its change to `current` (mutations are
    operations, not whole worlds) or reports this error; it never overwrites `current`.
    """

    def __init__(self, base: int | None, current: int | None, *, detail: str | None = None) -> None:
        self.base = base
        self.current = current
        self.detail = detail
        message = (
            f"the change was computed from snapshot `{base}` but snapshot `{current}` is current"
        )
        super().__init__(message if detail is None else f"{message}: {detail}")


class RequestReplayed(StoreError):
    """A write carried an idempotency key that an earlier write already used: nothing was
    written again. `snapshot_id` is the snapshot the first write made (the caller answers
    with it, so a retried request never applies twice)."""

    code: ErrorCode = "already-applied"

    def __init__(self, request_key: str, snapshot_id: int) -> None:
        self.request_key = request_key
        self.snapshot_id = snapshot_id
        super().__init__(
            f"a write with request key `{request_key}` already made snapshot `{snapshot_id}`"
        )


class StoreIncompatible(StoreError):
    """The store cannot be used as given (corrupt, another program's file, wrong version, bad path).

    Retrying does not help; the operator must point tenantgraph at the right file.
    """

    code: ErrorCode = "store-incompatible"


class StoreFull(StoreError):
    """The disk holding the store has no space left; nothing was written.

    Not retryable as it is: someone must free space first (the previous snapshot is intact).
    """

    code: ErrorCode = "store-full"


class StoreUnavailable(StoreError):
    """The backing database cannot be reached; callers may retry, never treat as deny."""

    code: ErrorCode = "store-unavailable"
    retryable = True


class PolicyError(GraphModelError):
    code: ErrorCode = "policy-error"


class PolicyInvalid(PolicyError):
    code: ErrorCode = "policy-invalid"


class QueryError(GraphModelError, ValueError):
    code: ErrorCode = "query-invalid"


class PathLimitExceeded(QueryError):
    code: ErrorCode = "path-limit-exceeded"


class ChangeSetTooLarge(QueryError):
    """A what-if change set holds more changes than the caller may run at once.

    Why: applying and diffing costs CPU per change (24,000 changes took 4.8 s), so the API bounds
    what one request may ask for; the code is the API's for every cost bound.
    """

    code: ErrorCode = "query-too-complex"

    def __init__(self, count: int, limit: int) -> None:
        self.count = count
        self.limit = limit
        super().__init__(
            f"the change set holds {count} changes; at most {limit} may be what-if'd here"
        )


Json = str | int | float | bool | None | list["Json"] | dict[str, "Json"]


def issue_data(issue: Issue) -> dict[str, Json]:
    """One located problem as JSON: `{code, path, loc, message, file?, line?}`."""
    data: dict[str, Json] = {
        "code": issue.code,
        "path": issue.path,
        "loc": [str(part) for part in issue.loc],
        "message": issue.msg,
    }
    if issue.file is not None:
        data["file"] = issue.file
    if issue.line is not None:
        data["line"] = issue.line
    return data


def error_extensions(exc: GraphModelError) -> dict[str, Json]:
    """The machine-readable part of an error, as the API's `extensions` and the CLI's `--json`.

    Why one function: a script that switches on `code` must see the same codes and payloads
    from `tenantgraph ... --json` as from the GraphQL API.
    """
    ext: dict[str, Json] = {"code": exc.code}
    if exc.retryable:
        ext["retryable"] = True
    if isinstance(exc, WorldInvalid):
        ext["issues"] = [issue_data(i) for i in exc.issues]
    if isinstance(exc, ChangeSetTooLarge):
        ext["limit"] = exc.limit
    if isinstance(exc, NodeNotFound) and exc.suggestion:
        ext["suggestion"] = exc.suggestion
    if isinstance(exc, SnapshotConflict):  # both snapshots, so a client can re-read and decide
        ext["baseSnapshot"] = exc.base
        ext["currentSnapshot"] = exc.current
    if isinstance(exc, RequestReplayed):  # the snapshot the first write made
        ext["snapshot"] = exc.snapshot_id
    return ext
