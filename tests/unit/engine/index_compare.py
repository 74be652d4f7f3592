"""Comparing an updated WorldIndex with one built from scratch: structures and answers.

`structures(ix)` flattens every structure the index builds (`FAMILY_STRUCTURES`) into plain
values, entities by value (an updated index holds the new World's objects where the World had
its lookups built, else equal ones replayed from the changes), lists in their order, empty
lists dropped (a fresh build has no key for them); `assert_caches_exact` checks
that every lazily filled cache entry an updated index carries equals what the fresh index
computes; `answers(ix)` is every `check` (all users x all apps and channels), every
`who_can_access` and `reachable` (the per-candidate and the batched implementations), with
full verdicts, or the error a question raised.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from graphmodel.engine import WorldIndex, check, reachable, who_can_access
from graphmodel.engine import reverse as batched
from graphmodel.engine.index_update import FAMILY_STRUCTURES
from graphmodel.engine.reach import Reach

__all__ = ["answers", "assert_caches_exact", "assert_same_index", "fill_caches", "structures"]

_ORDERED = ("tenants", "tenant_by_id", "users", "groups", "apps", "teams", "channels", "packages")


def _flat(value: Any) -> Any:
    """Entities by value, containers by content (lists and dict keys in order)."""
    if isinstance(value, str) or dataclasses.is_dataclass(value):
        return value
    if isinstance(value, dict):
        return [(k, _flat(v)) for k, v in value.items()]
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, (list, tuple)):
        return [_flat(v) for v in value]
    return value


def structures(ix: WorldIndex) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for names in FAMILY_STRUCTURES.values():
        for name in names:
            value = getattr(ix, name)
            if name in _ORDERED:
                out[name] = _flat(value)
            else:  # key order of these maps is never read
                out[name] = {k: _flat(v) for k, v in value.items() if v}
    return out


def assert_same_index(got: WorldIndex, fresh: WorldIndex) -> None:
    assert got.world is fresh.world
    assert got.now == fresh.now or got.world.as_of is None
    mine, theirs = structures(got), structures(fresh)
    for name in theirs:
        assert mine[name] == theirs[name], name
    assert_caches_exact(got, fresh)


def assert_caches_exact(got: WorldIndex, fresh: WorldIndex) -> None:
    """Every cache entry `got` carries is the one `fresh` computes."""
    for g, closure in list(got._up.items()):
        assert closure == fresh.group_closure(g), g
    for g, ids in list(got._ids_up.items()):
        assert ids == fresh._closure_ids(g), g
    if got._by_mail is not None:
        fresh.user_by_mail("-")
        assert dict(_flat(got._by_mail)) == dict(_flat(fresh._by_mail))  # read by key only
    if got._mails_by_tenant is not None:
        fresh.has_mail_in("-", "-")
        assert got._mails_by_tenant == fresh._mails_by_tenant
    if got._by_domain is not None:
        fresh.tenant_of_domain("-")
        assert dict(_flat(got._by_domain)) == dict(_flat(fresh._by_domain))
    for (tenant, apps_only), found in list(got._resources_in.items()):
        assert _flat(found) == _flat(fresh.resources_in(tenant, apps_only=apps_only))
    for tenant, app in list(got._teams_apps.items()):
        assert app == fresh.teams_app(tenant)
    if "usage" in vars(got):
        assert vars(got.usage) == vars(fresh.usage)
    assert not hasattr(got, "_classes") or got._classes.ix is got


def fill_caches(ix: WorldIndex) -> None:
    """Fill every lazily built cache of `ix`, as a server's readers would over time."""
    for t in ix.world.tenants:
        ix.resources_in(t.name)
        ix.resources_in(t.name, apps_only=True)
        ix.teams_app(t.name)
        for u in ix.users_by_tenant.get(t.name, ()):
            if u.mail:
                ix.has_mail_in(t.name, u.mail)
                ix.user_by_mail(u.mail)
        for d in t.domains:
            ix.tenant_of_domain(d)
    for u in ix.world.users:
        ix.xtap_object_ids(u)
    ix.warm()
    assert ix.usage is not None


def _outcome(fn: Callable[[], Any]) -> Any:
    try:
        return ("ok", fn())
    except Exception as exc:  # the same failure on both sides counts as agreement
        return ("raised", type(exc).__name__, str(exc))


def _reaches(items: Any) -> list[Any]:
    out = []
    for r in items:
        assert isinstance(r, Reach)
        out.append((r.principal, r.resource, r.decision, r.mfa, r.via, r.verdict))
    return out


def answers(
    ix: WorldIndex, *, users: list[str] | None = None, resources: list[str] | None = None
) -> dict[str, Any]:
    """Every answer of the engine over `ix` (or over `users` and `resources` only), errors
    included."""
    world = ix.world
    if resources is None:
        resources = [a.ref for a in world.apps] + [c.ref for c in world.channels]
    principals = [u.ref for u in world.users] if users is None else users
    out: dict[str, Any] = {}
    for p in principals:
        for r in resources:
            out[f"check {p} {r}"] = _outcome(lambda p=p, r=r: check(ix, p, r))
        for name, fn in (("reachable", reachable), ("batched reachable", batched.reachable)):
            out[f"{name} {p}"] = _outcome(
                lambda p=p, fn=fn: _reaches(fn(ix, p, include_denied=True))
            )
    for r in resources:
        for name, fn in (("who", who_can_access), ("batched who", batched.who_can_access)):
            out[f"{name} {r}"] = _outcome(lambda r=r, fn=fn: _reaches(fn(ix, r)))
    return out
