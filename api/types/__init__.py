"""Strawberry types of the GraphQL schema, each with a `from_domain` converter."""

from __future__ import annotations

__all__: list[str] = []  # import from the modules; nothing is re-exported
