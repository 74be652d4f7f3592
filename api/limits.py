"""Request limits: one Strawberry extension per limit, plus the body-size ASGI middleware.

Why each limit exists (and its code): a GraphQL endpoint lets one request ask for a lot, and the
reverse questions run the engine once per candidate. So a request is bounded before it runs —
body size (`body-too-large`, HTTP 413, checked before GraphQL sees a byte), tokens in the
document and estimated cost (`query-too-complex`), nesting depth (`query-too-deep`), aliases
(`too-many-aliases`) — and while it runs: page size (`page-too-large`, checked by the paging
helper) and a per-query deadline after which no new work starts (`deadline-exceeded`;
connections already under way return what they have with `partial: true`, and the response
carries the warning in `extensions.warnings`).

Cost model (`ComplexityLimit`): every field costs 1, engine questions (`access`, `whoCanAccess`,
...) cost 10, and a connection's selection is multiplied by its `first` (a variable counts as
the maximum page size). Introspection (`__schema`, `__type`) is not counted for depth or cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    TokenKind,
    ValidationContext,
    ValidationRule,
)
from graphql.language import Lexer
from strawberry.extensions import AddValidationRules, SchemaExtension

__all__ = [
    "AliasLimit",
    "ComplexityLimit",
    "DeadlineReport",
    "DepthLimit",
    "Limits",
    "TokenLimit",
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
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Every bound of one request; `create_app(..., limits=Limits(...))` overrides them."""

    max_depth: int = 12
    max_aliases: int = 50
    max_tokens: int = 10_000
    max_complexity: int = 50_000
    max_page: int = 1_000
    max_body_bytes: int = 1_048_576
    deadline_s: float = 10.0
    chunk: int = 50  # items computed between two deadline checks in a connection


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


def _children(
    selections: SelectionSetNode | None,
    fragments: Fragments,
    seen: frozenset[str],
    *,
    introspection: bool = False,
) -> Iterator[tuple[FieldNode, frozenset[str]]]:
    """The fields of a selection set, through inline fragments and fragment spreads
    (introspection fields such as `__schema` only when asked for)."""
    if selections is None:
        return
    for sel in selections.selections:
        if isinstance(sel, FieldNode):
            if introspection or not sel.name.value.startswith("__"):
                yield sel, seen
        elif isinstance(sel, InlineFragmentNode):
            yield from _children(sel.selection_set, fragments, seen, introspection=introspection)
        elif isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from _children(
                    fragment.selection_set, fragments, seen | {name}, introspection=introspection
                )


def depth_of(
    selections: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    """Nesting depth in fields (a top-level scalar field is depth 1)."""
    return max(
        (
            1 + depth_of(f.selection_set, fragments, s)
            for f, s in _children(selections, fragments, seen)
        ),
        default=0,
    )


def _first(field: FieldNode, max_page: int) -> int:
    for arg in field.arguments or ():
        if arg.name.value == "first":
            return int(arg.value.value) if isinstance(arg.value, IntValueNode) else max_page
    return 1


def cost_of(
    selections: SelectionSetNode | None,
    fragments: Fragments,
    max_page: int,
    seen: frozenset[str] = frozenset(),
) -> int:
    """Estimated cost of a selection set (see the module docstring)."""
    total = 0
    for f, s in _children(selections, fragments, seen):
        inner = cost_of(f.selection_set, fragments, max_page, s)
        total += EXPENSIVE.get(f.name.value, 1) + _first(f, max_page) * inner
    return total


def _aliases(
    selections: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()
) -> int:
    return sum(
        (1 if f.alias else 0) + _aliases(f.selection_set, fragments, s)
        for f, s in _children(selections, fragments, seen, introspection=True)
    )


@cache
def _rule(
    limit: int, code: str, measure: Callable[[SelectionSetNode, Fragments], int], what: str
) -> type[ValidationRule]:
    """A validation rule reporting one coded error per operation over `limit`.

    Cached: the same limit is the same rule class in every request, so the validation cache
    (keyed by document and rules) hits across requests.
    """

    class LimitRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            fragments = _fragments(context)
            for op in _operations(context):
                value = measure(op.selection_set, fragments)
                if value > limit:
                    context.report_error(
                        GraphQLError(
                            f"{what} {value} is over the limit of {limit}",
                            nodes=[op],
                            extensions={"code": code, "limit": limit, "value": value},
                        )
                    )

    return LimitRule


class DepthLimit(AddValidationRules):
    def __init__(self, max_depth: int) -> None:
        super().__init__([_rule(max_depth, "query-too-deep", depth_of, "query depth")])


class AliasLimit(AddValidationRules):
    def __init__(self, max_aliases: int) -> None:
        super().__init__([_rule(max_aliases, "too-many-aliases", _aliases, "alias count")])


@cache
def _cost_measure(max_page: int) -> Callable[[SelectionSetNode, Fragments], int]:
    def measure(sel: SelectionSetNode, fragments: Fragments) -> int:
        return cost_of(sel, fragments, max_page)

    return measure


class ComplexityLimit(AddValidationRules):
    def __init__(self, max_complexity: int, max_page: int) -> None:
        measure = _cost_measure(max_page)
        super().__init__([_rule(max_complexity, "query-too-complex", measure, "query cost")])


class TokenLimit(SchemaExtension):
    """Refuse a document with more than `max_tokens` lexical tokens before parsing it."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        count = _tokens_over if len(query) <= _CACHEABLE_QUERY else _tokens_over.__wrapped__
        if count(query, self.max_tokens):
            raise GraphQLError(
                f"the document has more than {self.max_tokens} tokens",
                extensions={"code": "query-too-complex", "limit": self.max_tokens},
            )
        yield


_CACHEABLE_QUERY = 64 * 1024  # longer documents are lexed every time, never kept


@lru_cache(maxsize=256)
def _tokens_over(query: str, max_tokens: int) -> bool:
    """Whether `query` has more than `max_tokens` tokens (lexing stops at the limit).

    Cached like parsed documents: dashboards send the same few documents again and again. The
    body-size limit bounds what one entry can hold. A syntax error is not this limit's concern
    (the parser reports it next).
    """
    lexer = Lexer(Source(query))
    count = 0
    try:
        while lexer.advance().kind is not TokenKind.EOF:
            count += 1
            if count > max_tokens:
                return True
    except GraphQLError:
        return False
    return False


class DeadlineReport(SchemaExtension):
    """Start the per-query deadline and report what it cut short in `extensions.warnings`."""

    def __init__(self, deadline_s: float) -> None:
        self.deadline_s = deadline_s

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        context.deadline = time.monotonic() + self.deadline_s
        yield

    def get_results(self) -> dict[str, Any]:
        warnings = getattr(self.execution_context.context, "warnings", None)
        return {"warnings": list(warnings)} if warnings else {}
