"""Mutation resolvers, inputs and payloads (Microsoft Graph management operations)."""

from __future__ import annotations

__all__: list[str] = []  # import from the modules; nothing is re-exported
