"""Query resolvers: questions to the engine, and directory lookups and lists."""

from __future__ import annotations

__all__: list[str] = []  # import from the modules; nothing is re-exported
