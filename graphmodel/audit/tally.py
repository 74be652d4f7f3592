"""Counting a finding's exposures exactly while building only the first few.

Why: a finding at scale exposes hundreds of thousands of accesses, and building each one (a
full verdict with paths and reasons) is what made a 100k-user audit run for hours. A check
therefore yields *seeds* — the key fields of an exposure (principal, resource, object, whether
it has a path) and a function that builds it — in key order; a `Tally` counts them exactly,
de-duplicates them as `make_finding` always did (the first of equal keys wins) and keeps only
the first `limit` seeds, which are built when the finding is. Memory is one seed per exemplar
plus the distinct principals, resources and objects: bounded by the world, not the exposures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from graphmodel.audit.model import Exposure, ExposureCounts

__all__ = ["Seed", "Tally", "built", "in_key_order", "seed_of"]


@dataclass(frozen=True, slots=True)
class Seed:
    """An exposure before it is built: its key fields and how to build it."""

    resource: str | None
    principal: str | None
    object: str | None
    has_path: bool
    build: Callable[[], Exposure]

    @property
    def key(self) -> str:
        """`Exposure.key` of the exposure it builds (the same fields, joined the same way)."""
        return "\x1f".join((self.resource or "", self.principal or "", self.object or ""))


def seed_of(e: Exposure) -> Seed:
    """The seed of an exposure already built (configuration exposures are cheap)."""
    return Seed(e.resource, e.principal, e.object, e.path is not None, lambda: e)


def in_key_order(seeds: Iterable[Seed]) -> list[Seed]:
    """`seeds` sorted by key, equal keys kept in the order given (so the first still wins)."""
    return sorted(seeds, key=lambda s: s.key)


def built(seeds: Iterable[Seed]) -> Iterator[Exposure]:
    """The exposures of seeds given in key order, de-duplicated as a `Tally` does."""
    last: str | None = None
    for s in seeds:
        key = s.key
        if key != last:
            last = key
            yield s.build()


class Tally:
    """Exact counts of one finding's exposures and its first `limit` seeds (None: all).

    Seeds must come in key order (`in_key_order` sorts a small list that does not); a seed
    out of order is a bug in its check, so it raises instead of miscounting.
    """

    __slots__ = (
        "_last",
        "count",
        "kept",
        "limit",
        "objects",
        "paths",
        "principals",
        "raw",
        "resources",
    )

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.raw = 0  # seeds given, duplicates included (what some messages count)
        self.count = 0  # distinct exposures
        self.principals: set[str] = set()
        self.resources: set[str] = set()
        self.objects: set[str] = set()
        self.paths = 0
        self.kept: list[Seed] = []
        self._last: str | None = None

    @classmethod
    def of(cls, seeds: Iterable[Seed], limit: int | None) -> Tally:
        t = cls(limit)
        for s in seeds:
            t.add(s)
        return t

    def add(self, seed: Seed) -> None:
        self.raw += 1
        key = seed.key
        last = self._last
        if last is not None and key <= last:
            if key == last:
                return  # a duplicate: the first one counts
            raise ValueError(f"exposure seeds out of key order: {key!r} after {last!r}")
        self._last = key
        self.count += 1
        if seed.principal:
            self.principals.add(seed.principal)
        if seed.resource:
            self.resources.add(seed.resource)
        if seed.object:
            self.objects.add(seed.object)
        if seed.has_path:
            self.paths += 1
        if self.limit is None or len(self.kept) < self.limit:
            self.kept.append(seed)

    def counts(self) -> ExposureCounts:
        return ExposureCounts(
            exposures=self.count,
            principals=len(self.principals),
            resources=len(self.resources),
            objects=len(self.objects),
            paths=self.paths,
        )

    def exemplars(self) -> tuple[Exposure, ...]:
        """The kept seeds, built (one full verdict each for an access exposure)."""
        return tuple(s.build() for s in self.kept)
