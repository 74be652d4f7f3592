"""Variable and argument values of a planned document, resolved the way graphql-core does.

Why not graphql-core's `get_variable_values` / `get_argument_values` per request: their general
machinery (input objects, lists, fragment variables, error paths) cost more than the engine's
answer. A planned document's variables are scalars or enums, so the plan keeps, per argument,
where its value comes from — a literal (converted once), a variable, or the argument's default
— and per variable its type; a request then only checks and converts its inputs. A variable of
any other type, or an input that does not coerce, raises `Unsupported`: regular execution then
coerces and reports (the same errors as always).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInputType,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    VariableNode,
    type_from_ast,
    value_from_ast,
)
from graphql.utilities.coerce_input_value import coerce_default_value

from api.fastlane.serialize import Unsupported

__all__ = ["ArgumentPlan", "VariablePlan"]

_INT32 = 2**31


def _string(v: Any) -> Any:
    if type(v) is not str:
        raise Unsupported("not a String")
    return v


def _int(v: Any) -> Any:
    if type(v) is not int or not -_INT32 <= v < _INT32:
        raise Unsupported("not an Int")
    return v


def _boolean(v: Any) -> Any:
    if type(v) is not bool:
        raise Unsupported("not a Boolean")
    return v


def _id(v: Any) -> Any:
    if type(v) is str:
        return v
    if type(v) is int:
        return str(v)
    raise Unsupported("not an ID")


def _float(v: Any) -> Any:
    if type(v) not in (int, float):
        raise Unsupported("not a Float")
    return float(v)


_SCALARS: dict[str, Callable[[Any], Any]] = {
    "String": _string,
    "Int": _int,
    "Boolean": _boolean,
    "ID": _id,
    "Float": _float,
}


def _enum(enum: GraphQLEnumType) -> Callable[[Any], Any]:
    def parse(v: Any) -> Any:
        if type(v) is not str:
            raise Unsupported(f"not a {enum.name}")
        try:
            return enum.parse_value(v)
        except GraphQLError as exc:
            raise Unsupported(str(exc)) from exc

    return parse


@dataclass(frozen=True, slots=True)
class _Variable:
    name: str
    parse: Callable[[Any], Any]
    non_null: bool
    default: Any  # `Undefined` when the definition has none


class VariablePlan:
    """The variables of one operation, each a scalar or an enum (else `Unsupported`)."""

    def __init__(self, schema: GraphQLSchema, operation: OperationDefinitionNode) -> None:
        self.variables: list[_Variable] = []
        for definition in operation.variable_definitions or ():
            var_type = type_from_ast(schema, definition.type)
            if var_type is None or definition.directives:
                raise Unsupported("an unknown variable type or a variable directive")
            non_null = isinstance(var_type, GraphQLNonNull)
            named = var_type.of_type if isinstance(var_type, GraphQLNonNull) else var_type
            if isinstance(named, GraphQLEnumType):
                parse = _enum(named)
            elif isinstance(named, GraphQLScalarType) and named.name in _SCALARS:
                parse = _SCALARS[named.name]
            else:
                raise Unsupported(f"variables of type `{var_type}`")
            default: Any = Undefined
            if definition.default_value is not None:
                default = value_from_ast(definition.default_value, cast(GraphQLInputType, var_type))
                if default is Undefined:
                    raise Unsupported("a variable default that does not coerce")
            self.variables.append(
                _Variable(definition.variable.name.value, parse, non_null, default)
            )

    def coerce(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The coerced values of the provided (or defaulted) variables."""
        out: dict[str, Any] = {}
        for v in self.variables:
            if v.name not in inputs:
                if v.default is not Undefined:
                    out[v.name] = v.default
                elif v.non_null:
                    raise Unsupported(f"variable `{v.name}` is missing")
                continue
            value = inputs[v.name]
            if value is None:
                if v.non_null:
                    raise Unsupported(f"variable `{v.name}` is null")
                out[v.name] = None
            else:
                out[v.name] = v.parse(value)
        return out


@dataclass(frozen=True, slots=True)
class _Argument:
    name: str
    variable: str | None  # the value comes from this variable ...
    value: Any  # ... else it is this constant (a literal or the default)
    default: Any  # the argument's default, for an absent variable (`Undefined`: none)
    non_null: bool


class ArgumentPlan:
    """Where each argument of one field node gets its value (see the module docstring)."""

    def __init__(self, field: GraphQLField, node: FieldNode) -> None:
        given = {a.name.value: a.value for a in node.arguments or ()}
        self.arguments: list[_Argument] = []
        for name, arg in field.args.items():
            arg_type: GraphQLInputType = arg.type
            non_null = isinstance(arg_type, GraphQLNonNull)
            default = coerce_default_value(arg)
            literal = given.get(name)
            if isinstance(literal, VariableNode):
                self.arguments.append(
                    _Argument(name, literal.name.value, Undefined, default, non_null)
                )
            elif literal is not None:
                value = value_from_ast(literal, arg_type)
                if value is Undefined:
                    raise Unsupported(f"argument `{name}` does not coerce")
                self.arguments.append(_Argument(name, None, value, default, non_null))
            elif default is not Undefined:
                self.arguments.append(_Argument(name, None, default, default, non_null))
            elif non_null:
                raise Unsupported(f"required argument `{name}` is missing")

    def values(self, variables: dict[str, Any]) -> dict[str, Any]:
        """The arguments by their Python names (`asOf` -> `as_of`), as resolvers take them."""
        return {_python_name(k): v for k, v in self._values(variables).items()}

    def _values(self, variables: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for a in self.arguments:
            if a.variable is None:
                out[a.name] = a.value
            elif a.variable in variables:
                value = variables[a.variable]
                if value is None and a.non_null:
                    raise Unsupported(f"argument `{a.name}` is null")
                out[a.name] = value
            elif a.default is not Undefined:
                out[a.name] = a.default
            elif a.non_null:
                raise Unsupported(f"argument `{a.name}` has no value")
        return out


@cache
def _python_name(name: str) -> str:
    """`usageDays` -> `usage_days`: strawberry's camel-case names back to Python's (cached:
    every request converts the same few names)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
