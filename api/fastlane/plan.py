"""Plans: which documents the fast lane answers, decided once per document text.

A document is planned when it is one `query` operation (optionally named) whose top-level
fields all have a fast resolver (`access`, `whoCanAccess`), with plain selections below them,
and when it passes the same validation as regular execution: graphql-core's rules,
strawberry's additions and the limit rules of `api.limits` (taken from the schema's own
extensions, so a limit is defined in one place). Anything else — mutations, fragments,
directives, other fields, an invalid document — is not planned and goes through regular
GraphQL execution, which reports errors the usual way.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    specified_rules,
)
from strawberry.extensions import AddValidationRules
from strawberry.schema.schema import validate_document

from api.fastlane.serialize import Unsupported, Writer, compile_object
from api.fastlane.values import ArgumentPlan, VariablePlan

__all__ = ["FieldPlan", "Plan", "Planner"]

Resolve = Callable[..., Any]
"""A fast resolver: `(request state, **coerced GraphQL arguments) -> result object`."""


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """One top-level field: its response key, where its arguments come from, what to call,
    and the compiled writer of its selection."""

    key: str
    arguments: ArgumentPlan
    resolve: Resolve
    write: Writer


@dataclass(frozen=True, slots=True)
class Plan:
    """A planned document: how to coerce its variables, and its top-level fields."""

    variables: VariablePlan
    fields: tuple[FieldPlan, ...]


def _schema_rules(schema: strawberry.Schema) -> tuple[type[ASTValidationRule], ...]:
    """The validation rules regular execution runs: graphql-core's plus the extensions'."""
    rules: list[type[ASTValidationRule]] = list(specified_rules)
    for factory in schema.extensions:
        extension = factory() if callable(factory) else factory
        if isinstance(extension, AddValidationRules):
            rules.extend(extension.validation_rules)
    return tuple(rules)


class Planner:
    """Plans documents for the fast lane and remembers the outcome per (document, operation).

    Bounded like the parser cache: the endpoint is public and every distinct text is an entry.
    Documents longer than `max_chars` are never planned. The document comes parsed, with the
    token limit, by the front door (`api.frontdoor`), which is also what regular execution runs.
    """

    def __init__(
        self,
        schema: strawberry.Schema,
        resolvers: dict[str, Resolve],
        *,
        max_chars: int,
        size: int = 256,
    ) -> None:
        self.schema = schema
        # strawberry keeps the graphql-core schema it executes against here (its own
        # `validate_document` reads the same attribute); validation must use that very schema.
        self.gql: GraphQLSchema = schema._schema
        self.resolvers = resolvers
        self.max_chars = max_chars
        self.rules = _schema_rules(schema)
        self._size = size
        self._plans: OrderedDict[tuple[str, str | None], Plan | None] = OrderedDict()
        self._lock = Lock()

    def plan(
        self, query: str, operation_name: str | None, document: DocumentNode
    ) -> Plan | None:
        """The plan of `document` (the parsed `query`), or None: regular execution answers."""
        key = (query, operation_name)
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        found = self._build(document, operation_name) if len(query) <= self.max_chars else None
        with self._lock:
            self._plans[key] = found
            while len(self._plans) > self._size:
                self._plans.popitem(last=False)
        return found

    def _build(self, document: DocumentNode, operation_name: str | None) -> Plan | None:
        if not self._plannable_shape(document):
            return None  # before validation: a document the lane cannot answer costs no more
        if validate_document(self.gql, document, self.rules):
            return None
        try:
            return self._plan(document, operation_name)
        except Unsupported:
            return None

    def _plannable_shape(self, document: DocumentNode) -> bool:
        """One query without fragments whose top-level fields all have a fast resolver."""
        definitions = document.definitions
        if len(definitions) != 1 or not isinstance(definitions[0], OperationDefinitionNode):
            return False
        selections = definitions[0].selection_set.selections
        return all(isinstance(s, FieldNode) and s.name.value in self.resolvers for s in selections)

    def _plan(self, document: DocumentNode, operation_name: str | None) -> Plan:
        definitions = document.definitions
        if len(definitions) != 1 or not isinstance(definitions[0], OperationDefinitionNode):
            raise Unsupported("one operation and no fragments")
        op = definitions[0]
        name = op.name.value if op.name else None
        if op.operation is not OperationType.QUERY or op.directives:
            raise Unsupported("queries only")
        if operation_name is not None and operation_name != name:
            raise Unsupported("the operation name does not match")
        root = self.gql.query_type
        assert isinstance(root, GraphQLObjectType)  # INVARIANT: every schema has a Query type
        fields: list[FieldPlan] = []
        keys: set[str] = set()
        for sel in op.selection_set.selections:
            if not isinstance(sel, FieldNode) or sel.directives or sel.selection_set is None:
                raise Unsupported("top-level fields without directives, with a selection")
            key = sel.alias.value if sel.alias else sel.name.value
            resolve = self.resolvers.get(sel.name.value)
            gql_field = root.fields.get(sel.name.value)
            if resolve is None or gql_field is None or key in keys:
                raise Unsupported(f"no fast resolver for `{sel.name.value}`")
            keys.add(key)
            result_type = _named_object(gql_field)
            write = compile_object(result_type, sel.selection_set)
            fields.append(FieldPlan(key, ArgumentPlan(gql_field, sel), resolve, write))
        return Plan(VariablePlan(self.gql, op), tuple(fields))


def _named_object(gql_field: GraphQLField) -> GraphQLObjectType:
    inner = gql_field.type
    if isinstance(inner, GraphQLNonNull):
        inner = inner.of_type
    if not isinstance(inner, GraphQLObjectType):
        raise Unsupported("top-level fields returning one object only")
    return inner
