"""DataLoaders for node lookups, so nested fields never cost one service call per object.

Why: `groups { members { ... on User { tenant { name } } } }` would otherwise look objects up
one by one, each time through the request's snapshot. The node loader collects every
`(kind, ref, snapshot)` asked for in one tick of the event loop and answers them in one batch
from the snapshot's World (`api.lookups`). `batches` counts batch calls (the N+1 test reads it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from strawberry.dataloader import DataLoader

from api.lookups import lookups_for

if TYPE_CHECKING:
    from api.scope import Scope

__all__ = ["Loaders", "NodeKey"]

NodeKey = tuple[str, str, int | None]  # (kind, ref, snapshot); kinds: api.lookups.KINDS


class Loaders:
    """Per-request loaders; `scope_of(snapshot)` gives the viewer's view of a snapshot."""

    def __init__(self, scope_of: Callable[[int | None], Awaitable[Scope]]) -> None:
        self._scope_of = scope_of
        self.batches = 0
        self.nodes: DataLoader[NodeKey, object | None] = DataLoader(load_fn=self._load)

    async def _load(self, keys: list[NodeKey]) -> list[object | None]:
        self.batches += 1
        worlds = {s: (await self._scope_of(s)).world for s in {k[2] for k in keys}}
        return [lookups_for(worlds[s]).find(kind, ref) for kind, ref, s in keys]

    async def node(self, kind: str, ref: str, snapshot: int | None) -> object | None:
        return await self.nodes.load((kind, ref, snapshot))

    async def many(self, kind: str, refs: list[str], snapshot: int | None) -> list[object | None]:
        return await self.nodes.load_many([(kind, r, snapshot) for r in refs])
