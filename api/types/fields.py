"""Typed spellings of `@strawberry.field(...)` and of an admin-only `@strawberry.mutation(...)`.

Why: with keyword arguments, strawberry's decorators are typed as returning `Any`, which makes
every decorated resolver untyped under `mypy --strict`. These wrappers apply the same decorator
and hand mypy the resolver's own type back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

from api.permissions import IsAdmin

__all__ = ["admin_mutation", "field"]

F = TypeVar("F", bound=Callable[..., Any])


def field(*, description: str | None = None, name: str | None = None) -> Callable[[F], F]:
    """`@strawberry.field(description=..., name=...)`, keeping the resolver's type."""

    def wrap(fn: F) -> F:
        return cast(F, strawberry.field(fn, description=description, name=name))

    return wrap


def admin_mutation(*, description: str | None = None) -> Callable[[F], F]:
    """A mutation only admin tokens may run (`IsAdmin`: 403 and code `forbidden` otherwise)."""

    def wrap(fn: F) -> F:
        return cast(
            F, strawberry.mutation(fn, description=description, permission_classes=[IsAdmin])
        )

    return wrap
