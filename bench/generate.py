"""Seeded generator of realistic multi-tenant Worlds at S (10k users), M (100k) and L (1M).

Why construct schema dataclasses directly: parsing a 1M-user YAML file would measure the loader,
not the engine, and take minutes; a World built here is the same typed facts the loader would
produce (same ids, UPNs and defaults), so `write_world_yaml` can still emit the world-file format
for inspection or for loading through the CLI (`tenantgraph load`).

Usage (either form works)::

    python -m bench.generate S --seed 7 --yaml /tmp/s.yaml    # prints counts, writes YAML
    python bench/generate.py S --seed 7 --yaml /tmp/s.yaml

The same (scale, seed) always yields the same World.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

if not __package__:  # run as `python bench/generate.py`: make the `bench` package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._objects import make_apps, make_groups, make_teams
from bench._people import Draft, Gen, make_tenants, make_users
from bench._policies import (
    AS_OF,
    make_conditional_access,
    make_governance,
    tenant_settings,
)
from graphmodel.schema import IdentityProviderKind, Tenant, TenantType, World
from graphmodel.schema.entities import FederatedIdentityProvider

__all__ = ["SCALES", "Scale", "generate", "widest_app"]


@dataclass(frozen=True, slots=True)
class Scale:
    """Nominal sizes of a generated world."""

    name: str
    users: int
    groups: int
    apps: int
    tenants: int


SCALES: dict[str, Scale] = {
    "T": Scale("T", 1_500, 150, 60, 12),  # tiny: unit tests
    "S": Scale("S", 10_000, 1_000, 100, 40),
    "M": Scale("M", 100_000, 10_000, 1_000, 200),
    "L": Scale("L", 1_000_000, 100_000, 10_000, 1_000),
}


def _world(draft: Draft, settings: dict[int, tuple[object, object, object]], title: str) -> World:
    tenants: list[Tenant] = []
    for t in draft.tenants:
        xtap, collab, teams = settings[t.index]
        idps: tuple[FederatedIdentityProvider, ...] = ()
        if t.type == TenantType.B2C:
            idps = (FederatedIdentityProvider(kind=IdentityProviderKind.GOOGLE),)
        tenants.append(
            Tenant(
                name=t.name,
                id=t.id,
                domains=(t.domain,),
                cloud=t.cloud,
                type=t.type,
                cross_tenant_access=xtap,  # type: ignore[arg-type]
                external_collaboration=collab,  # type: ignore[arg-type]
                teams_policy=teams,  # type: ignore[arg-type]
                identity_providers=idps,
            )
        )
    ts = draft.tenants
    assignments = tuple(
        dict.fromkeys(a for t in ts for a in t.assignments)  # the loader keeps one per pair
    )
    return World(
        tenants=tuple(tenants),
        users=tuple(u for t in ts for u in t.users),
        groups=tuple(g for t in ts for g in t.groups),
        apps=tuple(a for t in ts for a in t.apps),
        assignments=assignments,
        teams=tuple(x for t in ts for x in t.teams),
        channels=tuple(c for t in ts for c in t.channels),
        conditional_access=tuple(p for t in ts for p in t.ca),
        connected_organizations=tuple(o for t in ts for o in t.orgs),
        access_packages=tuple(p for t in ts for p in t.packages),
        access_package_assignments=tuple(a for t in ts for a in t.package_assignments),
        as_of=AS_OF,
        title=title,
        source="bench.generate",
    )


def generate(scale: Scale | str, *, seed: int = 7) -> World:
    """A World of `scale` (a Scale or one of `SCALES`' names); deterministic per (scale, seed).

    Examples
    --------
    >>> w = generate("T", seed=1)
    >>> (len(w.users), len(w.tenants)) == (1500, 12), w == generate("T", seed=1)
    (True, True)
    """
    sc = SCALES[scale] if isinstance(scale, str) else scale
    gen = Gen(
        rng=random.Random(seed),
        users=sc.users,
        groups=sc.groups,
        apps=sc.apps,
        tenants=sc.tenants,
    )
    draft = make_tenants(gen)
    make_users(gen, draft)
    make_groups(gen, draft)
    make_apps(gen, draft)
    make_teams(gen, draft)
    settings = tenant_settings(gen, draft)
    make_conditional_access(gen, draft)
    make_governance(gen, draft)
    return _world(draft, settings, f"generated {sc.name} (seed {seed})")  # type: ignore[arg-type]


def widest_app(world: World) -> str:
    """The open app of the largest tenant: the widest who-can-access of a generated world."""
    return f"{world.tenants[0].name}/intranet"


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--yaml", help="also write the world-file YAML here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = generate(args.scale, seed=args.seed)
    print(f"generated in {time.perf_counter() - started:.1f}s: {world.counts().as_dict()}")
    if args.yaml:
        from bench.worldfile import write_world_yaml

        write_world_yaml(replace(world, title=world.title), args.yaml)
        print(f"wrote {args.yaml}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
