"""Compile a GraphQL selection into a function from a result object to its response data.

Why compile: GraphQL execution resolves every field of every hop through a chain of calls
(resolver, type check, completion, extension hooks); for the verdict of `access` that is most
of a request. A selection is fixed per document, so it is turned once into nested closures
that read the same attributes the default resolvers read and serialise leaves the way the
schema's types do (enums by the schema's own `serialize`).

Names come from the schema: a response key is the field's alias or its GraphQL name, and the
attribute read is the Python name strawberry recorded for that field. A renamed field in the
schema therefore needs no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    SelectionSetNode,
)

__all__ = ["Unsupported", "compile_object"]

Writer = Callable[[Any], Any]
_DEFINITION = "strawberry-definition"  # where strawberry links a GraphQL field to its own
_PLAIN_SCALARS: dict[str, type | tuple[type, ...]] = {
    "String": str,
    "Boolean": bool,
    "Int": int,
    "Float": (float, int),
    "ID": str,
}


class Unsupported(Exception):
    """The selection (or a value met while writing) is outside what this compiler handles;
    the caller answers the request through regular GraphQL execution instead."""


def _leaf(gql_type: GraphQLScalarType | GraphQLEnumType) -> Writer:
    if isinstance(gql_type, GraphQLEnumType):
        seen: dict[Hashable, Any] = {}

        def enum(value: Any) -> Any:
            found = seen.get(value)
            if found is None:
                found = seen[value] = gql_type.serialize(value)
            return found

        return enum
    plain = _PLAIN_SCALARS.get(gql_type.name)
    serialize = gql_type.serialize
    if plain is None:
        return serialize

    def scalar(value: Any) -> Any:
        # `bool` is an `int`: only the exact Python type passes through unchanged.
        if type(value) is plain or (isinstance(plain, tuple) and type(value) in plain):
            return value
        return serialize(value)

    return scalar


def _value(gql_type: GraphQLOutputType, node: FieldNode) -> Writer:
    if isinstance(gql_type, GraphQLNonNull):
        inner = _value(gql_type.of_type, node)

        def non_null(value: Any) -> Any:
            if value is None:
                raise Unsupported("null in a non-null field: let GraphQL report it")
            return inner(value)

        return non_null
    if isinstance(gql_type, GraphQLList):
        item = _value(gql_type.of_type, node)
        return lambda value: None if value is None else [item(v) for v in value]
    if isinstance(gql_type, GraphQLScalarType | GraphQLEnumType):
        if node.selection_set is not None:
            raise Unsupported("a selection on a leaf")
        leaf = _leaf(gql_type)
        return lambda value: None if value is None else leaf(value)
    if isinstance(gql_type, GraphQLObjectType):
        if node.selection_set is None:
            raise Unsupported("an object without a selection")
        obj = compile_object(gql_type, node.selection_set)
        return lambda value: None if value is None else obj(value)
    raise Unsupported(f"type `{gql_type}`")


def _resolved(resolver: Any, writer: Writer) -> Writer:
    """A field computed by a plain method of the object (`def nodes(self)`): no arguments, no
    `info`, not async — what strawberry would call with the object alone."""
    if (
        resolver.is_async
        or resolver.arguments
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or resolver.self_parameter is None
    ):
        raise Unsupported(f"resolver `{resolver.name}` needs more than the object")
    method = resolver.wrapped_func
    return lambda obj: writer(method(obj))


_REF_NODES = frozenset({"Principal", "Resource"})


def _node_ref(name: str, gql_field: GraphQLField, node: FieldNode) -> Writer | None:
    """`principal { ref }` / `resource { ref }` on an object holding `principal_ref` and its
    `scope`: the node's `ref` is `scope.ref(principal_ref)`, exactly what the node resolvers
    return, without loading the node. None for any other field or selection."""
    gql_type = gql_field.type
    if isinstance(gql_type, GraphQLNonNull):
        gql_type = gql_type.of_type
    if not isinstance(gql_type, GraphQLInterfaceType) or gql_type.name not in _REF_NODES:
        return None
    subs = node.selection_set.selections if node.selection_set else ()
    if len(subs) != 1 or not isinstance(subs[0], FieldNode) or subs[0].name.value != "ref":
        return None
    if subs[0].directives or subs[0].arguments or node.directives or node.arguments:
        return None
    key = subs[0].alias.value if subs[0].alias else "ref"
    attr = f"{name}_ref"
    return lambda obj: {key: obj.scope.ref(getattr(obj, attr))}


def _constant(value: str) -> Writer:
    return lambda _obj: value


def compile_object(gql_type: GraphQLObjectType, selection: SelectionSetNode) -> Writer:
    """A function writing the response data of `selection` for one object of `gql_type`.

    Handles plain fields (attributes, or methods that need only the object), aliases and
    `__typename`; raises `Unsupported` for anything else (fragments, directives, arguments,
    async resolvers), so the request takes the regular path.
    """
    steps: list[tuple[str, str | None, Writer]] = []
    keys: set[str] = set()
    for sel in selection.selections:
        if not isinstance(sel, FieldNode) or sel.directives or sel.arguments:
            raise Unsupported("fragments, directives and arguments are left to GraphQL")
        key = sel.alias.value if sel.alias else sel.name.value
        if key in keys:
            raise Unsupported("a response key selected twice (field merging)")
        keys.add(key)
        name = sel.name.value
        if name == "__typename":
            steps.append((key, None, _constant(gql_type.name)))
            continue
        gql_field = gql_type.fields.get(name)
        ref_writer = None if gql_field is None else _node_ref(name, gql_field, sel)
        if ref_writer is not None:
            steps.append((key, None, ref_writer))
            continue
        definition = None if gql_field is None else gql_field.extensions.get(_DEFINITION)
        if gql_field is None or definition is None or gql_field.args:
            raise Unsupported(f"field `{gql_type.name}.{name}`")
        if getattr(definition, "permission_classes", None) or getattr(
            definition, "extensions", None
        ):
            raise Unsupported(f"`{gql_type.name}.{name}` has a permission or extension")
        resolver = getattr(definition, "base_resolver", None)
        if resolver is None:
            steps.append((key, definition.python_name, _value(gql_field.type, sel)))
        else:
            steps.append((key, None, _resolved(resolver, _value(gql_field.type, sel))))

    def write(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, attr, writer in steps:
            out[key] = writer(obj) if attr is None else writer(getattr(obj, attr))
        return out

    return write
