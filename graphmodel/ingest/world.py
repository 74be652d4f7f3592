"""Load a world file (`scenarios.md` §World) into a typed `World`, strictly.

A world file is either a scenario file (`title`, `source`, `rules`, `asOf`, `world`, `checks`;
the checks are ignored here, see `scenario.py`) or a bare world whose top level is `tenants:`.
Loading is strict because a world is the input of access decisions: an unknown key, a dangling
reference, a duplicate name, a bad enum value or a value of the wrong type would otherwise
change an answer silently. Every problem is collected — in two passes, names first, then
references — and raised together as one `WorldInvalid` whose issues carry `file`, `line` and
`loc`. Omitted settings get exactly the defaults Microsoft ships (or Graph stores), so the
engine never sees a hole.

Warnings (configurations that load but are unusual, e.g. a cross-tenant section with only one
half) are returned separately by the `*_with_warnings` functions.

Examples
--------
>>> world = load_world_text('''
... tenants:
...   - name: contoso
...     users: [alice]
...   - name: fabrikam
...     users: [{name: alice, guestOf: contoso/alice}]
... ''')
>>> [u.user_principal_name for u in world.users]
['alice@contoso.com', 'alice_contoso.com#EXT#@fabrikam.onmicrosoft.com']
>>> try:
...     load_world_text("tenants: [{name: contoso, usres: [alice]}]")
... except WorldInvalid as exc:
...     print(exc.issues[0].render())
<input>:1: tenants[0].usres: unknown field `tenant.usres`; did you mean `users`? (unknown-field)
"""

from __future__ import annotations

from collections.abc import Mapping
from os import PathLike
from pathlib import Path

from graphmodel.errors import Issue, WorldInvalid
from graphmodel.ingest._build import build_world, sort_issues
from graphmodel.ingest._fields import Collector
from graphmodel.ingest.yamlsource import Loc, Share, parse_yaml, scaled
from graphmodel.schema.world import World

__all__ = [
    "WARNING_CODES",
    "load_world_file",
    "load_world_file_with_warnings",
    "load_world_text",
    "load_world_text_with_warnings",
    "parse_world",
    "read_source",
]

WARNING_CODES: frozenset[str] = frozenset(
    {"b2b-setting-half-inherited", "standard-channel-members"}
)
"""Codes of issues that are warnings: the world loads, but the configuration is unusual."""

# The share of loading a world file spent parsing YAML; the rest builds and checks the World
# (measured on generated worlds of 10,000 and 100,000 users).
_PARSED = 0.7


def parse_world(
    data: object, locs: Mapping[Loc, int], file: str = "<input>", progress: Share | None = None
) -> tuple[World | None, list[Issue]]:
    """Build a World from parsed YAML data and its location table (see `parse_yaml`).

    Returns ``(world, warnings)`` when the data is valid and ``(None, errors)`` when it is not;
    issues are in file order.
    """
    c = Collector(file=file, lines=locs)
    build = build_world(c, data, progress)
    if build.world is None:
        return None, sort_issues(c.errors)
    return build.world, sort_issues(c.warnings)


def load_world_text_with_warnings(
    text: str, *, file: str = "<input>", progress: Share | None = None
) -> tuple[World, list[Issue]]:
    """Parse world YAML `text`; raise `WorldInvalid` with every problem, else warnings too.

    `progress` is told the share of the work done (parsing, then building the World).
    """
    doc = parse_yaml(text, file=file, progress=scaled(progress, 0.0, _PARSED))
    if doc.data is None and doc.issues:
        raise WorldInvalid(list(doc.issues))
    world, issues = parse_world(doc.data, doc.lines, file, scaled(progress, _PARSED, 1.0))
    if world is None or doc.issues:
        errors = list(doc.issues) + (issues if world is None else [])
        raise WorldInvalid(sort_issues(errors))
    return world, issues


def load_world_text(text: str, *, file: str = "<input>") -> World:
    """Parse world YAML `text` into a World; raise `WorldInvalid` listing every problem."""
    return load_world_text_with_warnings(text, file=file)[0]


def load_world_file_with_warnings(
    path: str | PathLike[str], *, progress: Share | None = None
) -> tuple[World, list[Issue]]:
    """Load a world or scenario file; raise `WorldInvalid`, else return its warnings too.

    `progress` (for a large file) is told the share of the loading done, as it grows.
    """
    text, file = read_source(path)
    return load_world_text_with_warnings(text, file=file, progress=progress)


def load_world_file(path: str | PathLike[str]) -> World:
    """Load a world or scenario file into a World; raise `WorldInvalid` listing every problem."""
    return load_world_file_with_warnings(path)[0]


def read_source(path: str | PathLike[str]) -> tuple[str, str]:
    """The text of a UTF-8 file and its name; an unreadable file raises `WorldInvalid`."""
    file = str(path)
    try:
        return Path(path).read_bytes().decode("utf-8-sig"), file
    except UnicodeDecodeError as exc:
        issue = Issue(
            code="unreadable-file",
            loc=(),
            msg=f"the file is not utf-8 text: byte {exc.start} cannot be decoded",
            file=file,
        )
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        issue = Issue(
            code="unreadable-file", loc=(), msg=f"cannot read the file: {reason.lower()}", file=file
        )
    raise WorldInvalid([issue])
