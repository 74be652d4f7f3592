"""Counting a finding's exposures exactly while building only the first few.

Why: a finding at scale exposes hundreds of thousands of accesses, and building each one (a
full verdict with paths and reasons) is what made a 100k-user audit run for hours. A check
therefore yields *seeds* — the key fields of an exposure (principal, resource, object, whether
it has a path) and a function that builds it — in key order; a `Tally` counts them exactly,
de-duplicates them as `make_finding` always did (the first of equal keys wins) and keeps only
the first `limit` seeds, which are built when the finding is. Memory is one seed per exemplar
plus the distinct principals, resources and objects: bounded by the world, not the exposures.

A check that exposes many principals of one resource hands them over as a `Run` (the
resource, its principals in order, and how to seed one): the tally counts a run with one set
update and seeds only the principals it keeps, so a million exposures cost no million objects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from graphmodel.audit.model import Exposure, ExposureCounts

__all__ = ["Run", "Seed", "Seeds", "Tally", "built", "expanded", "in_key_order", "seed_of"]


class Seed(NamedTuple):
    """An exposure before it is built: its key fields and how to build it (a named tuple: a
    full audit makes millions, and a frozen dataclass costs twice as much to make)."""

    resource: str | None
    principal: str | None
    object: str | None
    has_path: bool
    build: Callable[[], Exposure]

    @property
    def key(self) -> str:
        """`Exposure.key` of the exposure it builds (the same fields, joined the same way)."""
        return "\x1f".join((self.resource or "", self.principal or "", self.object or ""))


class Run(NamedTuple):
    """Exposures whose keys differ in one field, in key order: one per principal of `keys`
    (on `resource`, or on none) or, with `objects`, one per object of `keys` (configuration
    exposures: no principal, resource or path). `keys` strictly ascending; `seed(k)` is the
    seed of `k`'s exposure, with these key fields and `has_path` (INVARIANT: `Tally.add`
    counts a run from its keys alone)."""

    resource: str | None
    keys: Sequence[str]
    seed: Callable[[str], Seed]
    has_path: bool = True
    objects: bool = False

    def key(self, k: str) -> str:
        """`Seed.key` of the exposure of `k`."""
        if self.objects:
            return "\x1f\x1f" + k
        return "\x1f".join((self.resource or "", k, ""))


Seeds = Iterable[Seed | Run]
"""What a check enumerates for one finding, in key order."""


def expanded(items: Seeds) -> Iterator[Seed]:
    """The seeds of `items`, runs seeded one key at a time."""
    for item in items:
        if isinstance(item, Run):
            seed = item.seed
            for k in item.keys:
                yield seed(k)
        else:
            yield item


def seed_of(e: Exposure) -> Seed:
    """The seed of an exposure already built (configuration exposures are cheap)."""
    return Seed(e.resource, e.principal, e.object, e.path is not None, lambda: e)


def in_key_order(seeds: Iterable[Seed]) -> list[Seed]:
    """`seeds` sorted by key, equal keys kept in the order given (so the first still wins)."""
    return sorted(seeds, key=lambda s: s.key)


def built(seeds: Seeds, after: str | None = None) -> Iterator[Exposure]:
    """The exposures of seeds given in key order, de-duplicated as a `Tally` does; with
    `after`, only those whose key follows it, the ones before skipped unbuilt (a page deep
    into a finding costs its own exposures, not every one before it).

    Raises LookupError when no exposure has the key `after` (a cursor from elsewhere).
    """
    last: str | None = None
    for s in expanded(seeds if after is None else _from(seeds, after)):
        key = s.key
        if key == last:
            continue
        last = key
        if after is not None:
            if key < after:
                continue
            if key > after:
                raise LookupError(after)
            after = None  # found: every later exposure is built
            continue
        yield s.build()
    if after is not None:
        raise LookupError(after)


def _from(items: Seeds, after: str) -> Iterator[Seed | Run]:
    """`items` without the runs that end before `after` (their keys need no seeds)."""
    for item in items:
        if not (isinstance(item, Run) and item.keys and item.key(item.keys[-1]) < after):
            yield item


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
    def of(cls, seeds: Seeds, limit: int | None) -> Tally:
        t = cls(limit)
        for s in seeds:
            t.add(s)
        return t

    def add(self, item: Seed | Run) -> None:
        if isinstance(item, Run):
            self._add_run(item)
        else:
            self._add_seed(item)

    def _add_run(self, run: Run) -> None:
        keys = run.keys
        if not keys:
            return
        last = self._last
        if last is not None and run.key(keys[0]) <= last:
            for k in keys:  # a run that overlaps: seed by seed (duplicates, order)
                self._add_seed(run.seed(k))
            return
        n = len(keys)
        self.raw += n
        self.count += n
        if run.has_path:
            self.paths += n
        if run.objects:
            self.objects.update(keys)
        else:
            self.principals.update(keys)
        if run.resource:
            self.resources.add(run.resource)
        room = n if self.limit is None else min(n, self.limit - len(self.kept))
        if room > 0:
            seed = run.seed
            self.kept.extend(seed(k) for k in keys[:room])
        self._last = run.key(keys[-1])

    def _add_seed(self, seed: Seed) -> None:
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
