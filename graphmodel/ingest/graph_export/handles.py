"""Handles for imported objects: short names a person can type, unique within their space.

Graph objects have GUIDs, but tenantgraph's questions name objects by `tenant/name`. A display
name that is already a valid handle (no whitespace, `/` or `:`) is kept verbatim, so a world
exported by tenantgraph (which writes the handle as `displayName`) comes back with the same
handles; anything else is slugged (`Adele Vance` -> `adele-vance`). Clashes get `-2`, `-3`...
in file order, so re-importing the same export gives the same handles.
"""

from __future__ import annotations

import re

__all__ = ["HandleSpace", "is_handle", "slug"]

_BAD = re.compile(r"[/:\s]")
_SLUG_DROP = re.compile(r"[^\w.@-]+")


def is_handle(text: str) -> bool:
    """Whether `text` is usable as a handle as it is.

    Examples
    --------
    >>> is_handle("alice"), is_handle("Adele Vance"), is_handle("a/b"), is_handle("")
    (True, False, False, False)
    """
    return bool(text) and not _BAD.search(text)


def slug(text: str) -> str:
    """A handle made from free text (lower-case words joined by `-`); may be empty.

    Examples
    --------
    >>> slug("Adele Vance"), slug("  'DotNetWeb-App' "), slug("19:x/y")
    ('adele-vance', 'dotnetweb-app', '19-x-y')
    """
    return _SLUG_DROP.sub("-", text.strip().lower()).strip("-._")


class HandleSpace:
    """One name space (a tenant's users, groups, apps and teams; a team's channels...)."""

    def __init__(self, taken: set[str] | None = None) -> None:
        self._taken: set[str] = set(taken or ())

    def __contains__(self, name: str) -> bool:
        return name in self._taken

    def claim(self, *candidates: str | None, fallback: str) -> str:
        """The first usable candidate (verbatim if a handle, else slugged), made unique."""
        base = ""
        for candidate in candidates:
            if not candidate:
                continue
            base = candidate.strip() if is_handle(candidate.strip()) else slug(candidate)
            if base:
                break
        base = base or slug(fallback) or "object"
        name, n = base, 1
        while name in self._taken:
            n += 1
            name = f"{base}-{n}"
        self._taken.add(name)
        return name
