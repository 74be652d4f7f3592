"""The GraphQL schema: `Query` and `Mutation` assembled from their parts, with the extensions.

Extension order matters for errors: `MaskUnexpected` is first so that it runs last on the way
out, after `ErrorCodes` has given every known error its code. The printed SDL is committed as
`api/schema.graphql`; `python -m api.schema_dump` rewrites it and a test fails when they differ.
"""

from __future__ import annotations

import inspect
from functools import partial

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.types import ExecutionContext

from api.audit_log import RecordMutations
from api.audit_schema import AuditQueries  # audits (issue 9): findings, whatIf, accessDiff
from api.context import Context
from api.errors import ApiError, ErrorCodes, MaskUnexpected, log_errors
from api.limits import (
    AliasLimit,
    ComplexityLimit,
    DeadlineReport,
    DepthLimit,
    FieldLimit,
    Limits,
)
from api.mutations.crosstenant import CrossTenantMutations
from api.mutations.directory import DirectoryMutations
from api.offloop import OffLoopParse, OffLoopValidate
from api.queries.audit_log import AuditLogQueries
from api.queries.changes import ChangeQueries  # the access-change feed (issue 25)
from api.queries.directory import DirectoryQueries
from api.queries.exports import ExportQueries
from api.queries.policies import PolicyQueries
from api.queries.questions import QuestionQueries
from api.queries.search import SearchQueries
from api.snapshot_report import SnapshotReport
from api.types.fields import field

__all__ = ["Mutation", "Query", "build_schema", "sdl"]


@strawberry.type(description="Questions about the tenants, and the directory they hold.")
class Query(
    QuestionQueries,
    DirectoryQueries,
    SearchQueries,
    PolicyQueries,
    ExportQueries,
    AuditQueries,
    AuditLogQueries,
    ChangeQueries,
):
    # NOTE(api): not `relay.node()`: its field extension rewrites the field when a schema is
    # built and refuses a second build, and each `create_app` builds its own schema.
    @field(description="Any object by its global id (null when absent or out of scope).")
    async def node(
        self, info: strawberry.Info[Context, None], id: relay.GlobalID
    ) -> relay.Node | None:
        try:
            node_type = id.resolve_type(info)
        except (ValueError, KeyError) as exc:
            raise ApiError("invalid-input", f"`{id}` is not a global id of this API") from exc
        found = node_type.resolve_node(id.node_id, info=info, required=False)
        if inspect.isawaitable(found):
            found = await found
        return found


@strawberry.type(description="Microsoft Graph management operations (admin tokens only).")
class Mutation(DirectoryMutations, CrossTenantMutations):
    pass


class _Schema(strawberry.Schema):
    """Logs tracebacks of unexpected errors only (strawberry's default logs every error)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors(errors)


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    """The executable schema with one extension per limit (see `api.limits`)."""
    limits = limits or Limits()
    return _Schema(
        query=Query,
        mutation=Mutation,
        # Factories, not instances: strawberry builds fresh extensions for every operation,
        # so concurrent requests never share an extension's execution context.
        extensions=[
            MaskUnexpected,
            ErrorCodes,
            partial(OffLoopParse, limits.max_tokens),
            partial(FieldLimit, limits.max_fields),
            partial(DepthLimit, limits.max_depth),
            partial(AliasLimit, limits.max_aliases),
            partial(ComplexityLimit, limits.max_complexity, limits.max_page),
            # After the limits: the cache key includes their (cached) rule classes, so a
            # document is validated once (in a worker thread), then answered from the cache.
            OffLoopValidate,
            partial(DeadlineReport, limits.deadline_s),
            SnapshotReport,
            RecordMutations,
        ],
    )


def sdl() -> str:
    """The schema in GraphQL SDL, as committed in `api/schema.graphql`."""
    return build_schema().as_str() + "\n"
