"""Seeded question workloads over a generated world.

Why this mix: uniformly random (principal, resource) pairs are almost all "no foothold"
denials, which measure only the cheapest path of `check`. Real questions are about resources a
person plausibly reaches, so 80% of pairs pick a resource near the principal (a tenant where it
has an object, its channels, consented multitenant apps) and 20% pick any resource.
"""

from __future__ import annotations

import random
import time

from bench.stats import percentiles
from graphmodel.engine.candidates import resources_near
from graphmodel.engine.index import WorldIndex
from graphmodel.schema import User
from graphmodel.service import GraphService

__all__ = ["check_pairs", "check_times", "invite_pairs", "principals", "resources"]


def principals(ix: WorldIndex, n: int, seed: int) -> list[User]:
    """`n` principals (home identities), drawn from user objects at random."""
    rng = random.Random(seed)
    users = ix.world.users
    return [ix.home_identity(users[rng.randrange(len(users))]) for _ in range(n)]


def check_pairs(ix: WorldIndex, n: int, seed: int) -> list[tuple[str, str]]:
    """`n` (principal ref, resource ref) pairs: 80% near the principal, 20% anywhere."""
    rng = random.Random(seed)
    everything = [a.ref for a in ix.world.apps] + [c.ref for c in ix.world.channels]
    out: list[tuple[str, str]] = []
    for p in principals(ix, n, seed):
        near = resources_near(ix, p)
        ref = rng.choice(near) if near and rng.random() < 0.8 else rng.choice(everything)
        out.append((p.ref, ref))
    return out


def resources(ix: WorldIndex, n: int, seed: int) -> list[str]:
    """`n` distinct resources (apps and channels) at random, for reverse-lookup cross-checks."""
    rng = random.Random(seed)
    everything = [a.ref for a in ix.world.apps] + [c.ref for c in ix.world.channels]
    return rng.sample(everything, min(n, len(everything)))


def invite_pairs(ix: WorldIndex, n: int, seed: int) -> list[tuple[str, str]]:
    """(invitee, inviter) pairs: half user handles, half email addresses of other tenants."""
    rng = random.Random(seed)
    tenants = [t for t in ix.world.tenants if ix.users_by_tenant.get(t.name)]
    out: list[tuple[str, str]] = []
    while len(out) < n:
        host, home = rng.sample(tenants, 2)
        inviter = rng.choice(ix.users_by_tenant[host.name])
        invitee = ix.home_identity(rng.choice(ix.users_by_tenant[home.name]))
        target = invitee.ref if len(out) % 2 == 0 else (invitee.mail or invitee.user_principal_name)
        out.append((target, inviter.ref))
    return out


def check_times(
    svc: GraphService, pairs: list[tuple[str, str]], *, warmup: int
) -> dict[str, float]:
    """Percentiles of `svc.check` over `pairs`, after the first `warmup` pairs asked untimed:
    the in-process baseline HTTP probes divide by."""
    for p, r in pairs[:warmup]:
        svc.check(p, r)
    samples = []
    for p, r in pairs:
        t0 = time.perf_counter()
        svc.check(p, r)
        samples.append(time.perf_counter() - t0)
    return percentiles(samples)
