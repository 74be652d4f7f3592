"""Request limits: one Strawberry extension per limit, plus the body-size ASGI middleware.

Why each limit exists (and its code): a GraphQL endpoint lets one request ask for a lot, and the
reverse questions run the engine once per candidate. So a request is bounded before it runs —
body size (`body-too-large`, HTTP 413, checked before GraphQL sees a byte), tokens in the
document, field selections written in it and estimated cost (`query-too-complex`), nesting
depth (`query-too-deep`), aliases (`too-many-aliases`) — and while it runs: page size
(`page-too-large`, checked by the paging helper) and a per-query deadline after which no new
work starts (`deadline-exceeded`; connections already under way return what they have with
`partial: true`, and the response carries the warning in `extensions.warnings`), then a hard
deadline that cancels the request (`api.app`).

The limits cost time linear in the document: each fragment is measured once and reused, and
every measure saturates at the limit (`_Measure`), so 60 fragments that each spread the next
twice (2^60 paths) are refused in milliseconds. They run off the event loop, before graphql-core's
own rules (`api.offloop`).

Cost model (`ComplexityLimit`): every field costs 1, engine questions (`access`, `whoCanAccess`,
`whatIf`, ...) cost 10, and a connection's selection is multiplied by its `first` (a variable
counts as the maximum page size). Introspection (`__schema`, `__type`) is not counted for depth or
cost. A what-if's changes are only known once its change set is read, so they are counted when
it runs (`whatif_budget`): each change costs `CHANGE_COST` out of what the document left of the
cost limit, and a request may what-if at most `max_changes` changes (`max_reader_changes`, and
`max_reader_change_chars` characters of change set, for a reader token: a reader cannot start
seconds of work). Over the budget is `query-too-complex` with the `limit`, before any change is
applied.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, SchemaExtension

__all__ = [
    "AliasLimit",
    "ComplexityLimit",
    "DeadlineReport",
    "DepthLimit",
    "FieldLimit",
    "Limits",
    "cost_of",
    "fragments_of",
    "whatif_budget",
]

EXPENSIVE = {
    "access": 10,
    "whoCanAccess": 10,
    "reachableResources": 10,
    "canInvite": 10,
    "canSignUp": 10,
    "canRequest": 10,
    "trustGraph": 10,
    "removeUnusedAccess": 10,
    "whatIf": 10,
    "accessDiff": 10,
}
CHANGE_COST = 10
"""What one what-if change costs in the cost model (as much as an engine question)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Every bound of one request; `create_app(..., limits=Limits(...))` overrides them."""

    max_depth: int = 12
    max_aliases: int = 50
    max_tokens: int = 10_000
    max_fields: int = 1_000
    max_complexity: int = 50_000
    max_page: int = 1_000
    max_body_bytes: int = 1_048_576
    deadline_s: float = 10.0
    hard_deadline_s: float = 30.0  # the request is cancelled (`api.app`), HTTP 503
    chunk: int = 50  # items computed between two deadline checks in a connection
    max_changes: int = 2_000  # what-if changes per request (auditor, admin)
    max_reader_changes: int = 100  # what-if changes per request of a reader token
    max_reader_change_chars: int = 16_384  # a reader's change set (YAML parsing costs ~2 µs/char)


Fragments = Mapping[str, FragmentDefinitionNode]


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _operations(context: ValidationContext) -> Iterator[OperationDefinitionNode]:
    for d in context.document.definitions:
        if isinstance(d, OperationDefinitionNode):
            yield d


class _Measure:
    """One measure of a document, memoised per fragment so it runs in time linear in the text.

    A fragment spread twice by each of 60 fragments names 2^60 field paths; walking them (as a
    naive recursion does) freezes the server. Here each fragment's value is computed once and
    reused, and every value saturates at `cap` (the limit + 1), so a document far over the
    limit is refused as fast as one just over it. A fragment cycle (invalid anyway; graphql's
    own rule reports it) counts as 0 where it closes.
    """

    def __init__(
        self,
        fragments: Fragments,
        cap: int,
        combine: Callable[[_Measure, FieldNode], int],
        *,
        nested: Callable[[list[int]], int],
        introspection: bool = False,
    ) -> None:
        self.fragments = fragments
        self.cap = cap
        self.combine = combine
        self.nested = nested
        self.introspection = introspection
        self._memo: dict[str, int] = {}
        self._open: set[str] = set()

    def fields(self, selections: SelectionSetNode | None) -> list[int]:
        """The value of each field of a selection set, fragments expanded (memoised)."""
        values: list[int] = []
        for sel in selections.selections if selections is not None else ():
            if isinstance(sel, FieldNode):
                if self.introspection or not sel.name.value.startswith("__"):
                    values.append(self.combine(self, sel))
            elif isinstance(sel, InlineFragmentNode):
                values.append(self.nested(self.fields(sel.selection_set)))
            elif isinstance(sel, FragmentSpreadNode):
                values.append(self.fragment(sel.name.value))
        return values

    def fragment(self, name: str) -> int:
        found = self._memo.get(name)
        if found is not None:
            return found
        definition = self.fragments.get(name)
        if definition is None or name in self._open:
            return 0
        self._open.add(name)
        value = self.nested(self.fields(definition.selection_set))
        self._open.discard(name)
        self._memo[name] = value
        return value

    def of(self, selections: SelectionSetNode | None) -> int:
        return self.nested(self.fields(selections))

    def saturate(self, value: int) -> int:
        return min(value, self.cap)


def depth_of(selections: SelectionSetNode | None, fragments: Fragments, cap: int = 1 << 30) -> int:
    """Nesting depth in fields (a top-level scalar field is depth 1)."""

    def field_depth(m: _Measure, f: FieldNode) -> int:
        return m.saturate(1 + m.of(f.selection_set))

    return _Measure(fragments, cap, field_depth, nested=lambda v: max(v, default=0)).of(selections)


def _first(field: FieldNode, max_page: int) -> int:
    for arg in field.arguments or ():
        if arg.name.value == "first":
            return int(arg.value.value) if isinstance(arg.value, IntValueNode) else max_page
    return 1


def cost_of(
    selections: SelectionSetNode | None,
    fragments: Fragments,
    max_page: int,
    cap: int = 1 << 62,
) -> int:
    """Estimated cost of a selection set (see the module docstring)."""

    def field_cost(m: _Measure, f: FieldNode) -> int:
        inner = m.of(f.selection_set)
        return m.saturate(EXPENSIVE.get(f.name.value, 1) + max(_first(f, max_page), 0) * inner)

    def total(values: list[int]) -> int:
        return min(sum(values), cap)

    return _Measure(fragments, cap, field_cost, nested=total).of(selections)


def _aliases(selections: SelectionSetNode | None, fragments: Fragments, cap: int = 1 << 62) -> int:
    def field_aliases(m: _Measure, f: FieldNode) -> int:
        return m.saturate((1 if f.alias else 0) + m.of(f.selection_set))

    def total(values: list[int]) -> int:
        return min(sum(values), cap)

    return _Measure(fragments, cap, field_aliases, nested=total, introspection=True).of(selections)


@cache
def _rule(
    limit: int, code: str, measure: Callable[[SelectionSetNode, Fragments, int], int], what: str
) -> type[ValidationRule]:
    """A validation rule reporting one coded error per operation over `limit`.

    Cached: the same limit is the same rule class in every request, so the validation cache
    (keyed by document and rules) hits across requests.
    """

    class LimitRule(ValidationRule):
        is_limit = True  # run first, alone (`api.offloop`): a refused document costs little

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            for op in _operations(context):
                value = measure(op.selection_set, fragments, limit + 1)
                if value > limit:
                    context.report_error(
                        GraphQLError(
                            f"{what} is over the limit of {limit}",
                            nodes=[op],
                            extensions={"code": code, "limit": limit},
                        )
                    )

    return LimitRule


def field_count(document: DocumentNode) -> int:
    """Field selections written in the document (each fragment counted once, as written)."""
    count = 0
    stack: list[SelectionSetNode] = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        for sel in stack.pop().selections:
            count += isinstance(sel, FieldNode)
            inner = getattr(sel, "selection_set", None)
            if inner is not None:
                stack.append(inner)
    return count


@cache
def _field_rule(limit: int) -> type[ValidationRule]:
    class FieldCountRule(ValidationRule):
        is_limit = True

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            value = field_count(context.document)
            if value > limit:
                context.report_error(
                    GraphQLError(
                        f"the document selects {value} fields; the limit is {limit}",
                        extensions={"code": "query-too-complex", "limit": limit},
                    )
                )

    return FieldCountRule


class FieldLimit(AddValidationRules):
    """At most `max_fields` field selections written in a document: graphql-core's check that
    fields of one selection set can merge is quadratic in them (2,400 copies of one field took
    seconds of CPU before this limit)."""

    def __init__(self, max_fields: int) -> None:
        super().__init__([_field_rule(max_fields)])


class DepthLimit(AddValidationRules):
    def __init__(self, max_depth: int) -> None:
        super().__init__([_rule(max_depth, "query-too-deep", depth_of, "query depth")])


class AliasLimit(AddValidationRules):
    def __init__(self, max_aliases: int) -> None:
        super().__init__([_rule(max_aliases, "too-many-aliases", _aliases, "alias count")])


@cache
def _cost_measure(max_page: int) -> Callable[[SelectionSetNode, Fragments, int], int]:
    def measure(sel: SelectionSetNode, fragments: Fragments, cap: int) -> int:
        return cost_of(sel, fragments, max_page, cap)

    return measure


class ComplexityLimit(AddValidationRules):
    def __init__(self, max_complexity: int, max_page: int) -> None:
        measure = _cost_measure(max_page)
        super().__init__([_rule(max_complexity, "query-too-complex", measure, "query cost")])


def whatif_budget(
    limits: Limits, *, reader: bool, document_cost: int, used: int
) -> int:
    """How many more what-if changes a request may run: the role's cap and what the document's
    own cost leaves of `max_complexity` (`CHANGE_COST` each), less the `used` ones.

    Examples
    --------
    >>> whatif_budget(Limits(), reader=True, document_cost=12, used=0)
    100
    >>> whatif_budget(Limits(), reader=False, document_cost=12, used=0)
    2000
    >>> whatif_budget(Limits(max_complexity=1_000), reader=False, document_cost=12, used=50)
    48
    """
    cap = limits.max_reader_changes if reader else limits.max_changes
    affordable = (limits.max_complexity - document_cost) // CHANGE_COST
    return max(0, min(cap, affordable) - used)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    """The fragment definitions of a document, by name (for `cost_of` at execution time)."""
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


class DeadlineReport(SchemaExtension):
    """Start the per-query deadline and report what it cut short in `extensions.warnings`;
    hand the executed document to the context (`whatIf` measures its cost against the budget)."""

    def __init__(self, deadline_s: float) -> None:
        self.deadline_s = deadline_s

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        context.deadline = time.monotonic() + self.deadline_s
        if hasattr(context, "document"):
            context.document = self.execution_context.graphql_document
        yield

    def get_results(self) -> dict[str, Any]:
        warnings = getattr(self.execution_context.context, "warnings", None)
        return {"warnings": list(warnings)} if warnings else {}
