"""`Tally`: a run counts as its seeds one by one would, and keeps the same exemplars.

Checks hand a `Tally` the exposures of a finding either seed by seed or, for many principals of
one resource (or many objects), as a `Run` counted from its keys alone; both must give the same
counts and keep the same first seeds, including when a run overlaps what came before; a
stream resumed after a key gives what follows it.
"""

from __future__ import annotations

from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphmodel.audit import Exposure
from graphmodel.audit.tally import Run, Seed, Tally, built, expanded, seed_of

_NAMES = st.sampled_from(["a/1", "a/2", "b/1", "b/2", "c/1"])


def _access(resource: str, principal: str) -> Seed:
    """An access seed as a check makes one: with a path, built on demand."""
    e = Exposure(principal=principal, resource=resource, detail=f"{resource} {principal}")
    return Seed(resource, principal, None, True, lambda: e)


def _object(name: str) -> Seed:
    return seed_of(Exposure(object=name, detail=name))


def _runs(draw: st.DrawFn) -> list[Run]:
    out: list[Run] = []
    for resource in sorted(draw(st.sets(_NAMES, max_size=4))):
        keys = sorted(draw(st.sets(_NAMES, max_size=5)))
        out.append(Run(resource, keys, partial(_access, resource)))
    return out


@st.composite
def _items(draw: st.DrawFn) -> tuple[list[Run | Seed], int | None]:
    objects = sorted(draw(st.sets(_NAMES, max_size=5)))
    items: list[Run | Seed] = [Run(None, objects, _object, has_path=False, objects=True)]
    items.extend(_runs(draw))
    last = items[-1]
    if draw(st.booleans()) and isinstance(last, Run) and last.keys:
        # a run that starts with the last one's last key (a duplicate: the first counts)
        items.append(last._replace(keys=[last.keys[-1], "z/9"]))
    return items, draw(st.none() | st.integers(0, 6))


@given(_items())
def test_runs_count_as_their_seeds(case: tuple[list[Run | Seed], int | None]) -> None:
    items, limit = case
    whole = Tally.of(items, limit)
    one_by_one = Tally.of(expanded(items), limit)
    assert whole.counts() == one_by_one.counts()
    assert whole.raw == one_by_one.raw
    assert [s.key for s in whole.kept] == [s.key for s in one_by_one.kept]
    assert whole.exemplars() == one_by_one.exemplars()
    assert list(built(items)) == list(built(expanded(items)))


@given(_items())
def test_a_stream_resumes_after_any_key(case: tuple[list[Run | Seed], int | None]) -> None:
    items, _limit = case
    every = list(built(items))
    for i, e in enumerate(every):
        assert list(built(items, e.key)) == every[i + 1 :]
    with pytest.raises(LookupError):
        list(built(items, "\x1fno such key"))


def test_a_run_counts_principals_resources_and_paths() -> None:
    t = Tally.of([Run("c/app", ["a/1", "b/2"], partial(_access, "c/app"))], 1)
    counts = t.counts()
    assert (counts.exposures, counts.principals, counts.resources, counts.paths) == (2, 2, 1, 2)
    assert [s.principal for s in t.kept] == ["a/1"]


def test_an_object_run_counts_objects_only() -> None:
    t = Tally.of([Run(None, ["x.com", "y.com"], _object, has_path=False, objects=True)], 0)
    counts = t.counts()
    assert (counts.exposures, counts.objects, counts.principals, counts.paths) == (2, 2, 0, 0)
    assert t.kept == []


def test_a_run_out_of_key_order_is_refused() -> None:
    late = Run("c/app", ["b/1"], partial(_access, "c/app"))
    early = Run("a/app", ["a/1"], partial(_access, "a/app"))
    with pytest.raises(ValueError, match="out of key order"):
        Tally.of([late, early], None)
