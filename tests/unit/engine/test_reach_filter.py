"""Filtered reverse lookups are exactly the unfiltered answers the filter keeps (property tests).

`ReachFilter` is applied while the lookups stream — principals skipped before they are decided,
whole runs of a tenant's sorted principals never looked at (`reach_filter.positions`) — so a
filtered page must still be exactly the unfiltered answer restricted to the filter, page after
page, with an exact count. Hypothesis (seeded, bounded) draws the filter, the resource or
principal and the page size; the reference is the unfiltered stream and `ReachFilter.keeps`.
Both engine paths are driven: the batched classes (`engine.reverse`) and the per-candidate
lookup (`engine.lookup` below `EXACT_BELOW`), and the service's paging with `total_count`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import generate
from graphmodel.engine import ReachFilter, WorldIndex, lookup, reverse
from graphmodel.engine.reach import Reach
from graphmodel.schema import World
from graphmodel.schema.enums import PrincipalKind, UserType, Via
from graphmodel.service import GraphService
from graphmodel.stores import open_store

EXAMPLES = settings(max_examples=60, deadline=None, derandomize=True)  # seeded, bounded
Key = tuple[str, str, str, str, str]
Lookup = Callable[..., Iterator[Reach]]


def _world() -> World:
    """A generated world, plus internal guests and guest objects whose home is outside it
    (the generator makes neither), so every principal kind is there to filter."""
    world = generate("T", seed=5)
    users = list(world.users)
    members = [i for i, u in enumerate(users) if u.home_ref is None and u.tenant == "t0000"]
    for i in members[1:40:8]:
        users[i] = dataclasses.replace(users[i], user_type=UserType.GUEST)
    guests = [i for i, u in enumerate(users) if u.guest_of is not None and u.tenant == "t0000"]
    for i in guests[:3]:
        users[i] = dataclasses.replace(users[i], guest_of=f"elsewhere/{users[i].name}")
    return dataclasses.replace(world, users=tuple(users))


WORLD = _world()
IX = WorldIndex(WORLD)
TENANTS = sorted(t.name for t in WORLD.tenants)
RESOURCES = sorted([a.ref for a in WORLD.apps] + [c.ref for c in WORLD.channels])
PRINCIPALS = sorted(u.ref for u in WORLD.users)[::7]

filters = st.builds(
    ReachFilter,
    outsiders=st.booleans(),
    via=st.frozensets(st.sampled_from([v for v in Via if v is not Via.ANY]), max_size=2),
    home_tenants=st.frozensets(st.sampled_from([*TENANTS[:4], "elsewhere"]), max_size=2),
    kinds=st.frozensets(st.sampled_from(list(PrincipalKind)), max_size=3),
)


def _key(r: Reach) -> Key:
    return (r.principal, r.resource, r.decision.value, r.mfa.value, r.via.value)


def _paged(
    ask: Lookup, subject: str, flt: ReachFilter, size: int, cursor: Callable[[Reach], str]
) -> list[Key]:
    """Every page of `ask` under `flt`, each a new stream after the previous page's cursor."""
    out: list[Key] = []
    after: str | None = None
    while True:
        page = list(islice(ask(IX, subject, after=after, filters=flt), size))
        out.extend(_key(r) for r in page)
        if len(page) < size:
            return out
        after = cursor(page[-1])


def test_the_world_has_every_kind_the_filters_name() -> None:
    seen = {r.kind for res in RESOURCES for r in reverse.who_can_access(IX, res)}
    assert seen >= set(PrincipalKind) - {PrincipalKind.CONSUMER}  # consumers: B2C apps only


@pytest.mark.parametrize("ask", [reverse.who_can_access, lookup.who_can_access])
@EXAMPLES
@given(resource=st.sampled_from(RESOURCES), flt=filters, size=st.integers(1, 40))
def test_filtered_who_pages_are_the_unfiltered_answers_kept(
    ask: Lookup, resource: str, flt: ReachFilter, size: int
) -> None:
    want = [_key(r) for r in ask(IX, resource) if flt.keeps(IX, r)]
    assert _paged(ask, resource, flt, size, lambda r: r.principal) == want


@pytest.mark.parametrize("ask", [reverse.reachable, lookup.reachable])
@EXAMPLES
@given(principal=st.sampled_from(PRINCIPALS), flt=filters, size=st.integers(1, 20))
def test_filtered_reachable_pages_are_the_unfiltered_answers_kept(
    ask: Lookup, principal: str, flt: ReachFilter, size: int
) -> None:
    want = [_key(r) for r in ask(IX, principal) if flt.keeps(IX, r)]
    assert _paged(ask, principal, flt, size, lambda r: r.resource) == want


@pytest.fixture(scope="module")
def service() -> Iterator[GraphService]:
    svc = GraphService(open_store("memory"))
    svc.load_world(WORLD, source="test")
    yield svc
    svc.close()


@EXAMPLES
@given(resource=st.sampled_from(RESOURCES), flt=filters, size=st.integers(1, 60))
def test_service_pages_and_count_are_those_of_the_filtered_answer(
    service: GraphService, resource: str, flt: ReachFilter, size: int
) -> None:
    ix = service.index()
    want = [_key(r) for r in lookup.who_can_access(ix, resource) if flt.keeps(ix, r)]
    got: list[Key] = []
    after: str | None = None
    while True:
        page = service.who_can_access(resource, first=size, after=after, count=True, filters=flt)
        assert page.total_count == len(want)
        got.extend(_key(r) for r in page.items)
        if not page.has_next:
            break
        after = page.end_cursor
    assert got == want


def test_outsiders_only_skips_the_tenants_own_members_without_losing_its_own_outsiders() -> None:
    """The widest app of the tenant holding the internal guests and stray guest objects: its
    filtered answer has the social guests and stray guests of the tenant itself, found inside
    the run of its own principals that the filter otherwise skips."""
    resource = "t0000/intranet"
    flt = ReachFilter(outsiders=True)
    got = [r.principal for r in reverse.who_can_access(IX, resource, filters=flt)]
    own = [p for p in got if p.startswith("t0000/")]
    assert own, "the tenant's own social guests and stray guest objects are outsiders"
    assert {IX.users[p].user_type for p in own} == {UserType.GUEST}
    assert any(IX.users[p].guest_of and IX.users[p].guest_of.startswith("elsewhere/") for p in own)
    assert got == [r.principal for r in reverse.who_can_access(IX, resource) if r.outsider]
