"""What a partial import left out, carried in the World's `source` and the snapshot's source.

Why in the source text: a snapshot built from an export with unreadable parts must say so for as
long as it (or a snapshot a mutation derived from it) is read, in every answer. The World's
`source` is stored by every backend and survives mutations (they change a copy of the World), so
a marker there needs no store change. `tenantgraph import --allow-partial` writes the marker;
the API reads it back (`omitted`) into every answer's `extensions.omitted`.

Examples
--------
>>> gone = (Omission(tenant="contoso", what="users", count=1, file="contoso/users.json",
...                  reason="value[3]: the json nests deeper than 64 levels"),)
>>> marked = mark_partial("graph export: exp", summarise(gone))
>>> marked
'graph export: exp [partial import, left out: 1 of the users of contoso]'
>>> omitted(marked)
('1 of the users of contoso',)
>>> omitted("graph export: exp")
()
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Omission", "mark_partial", "omitted", "summarise"]

_MARK = " [partial import, left out: "
_MARKED = re.compile(re.escape(_MARK) + r"(?P<items>.*)\]$")
_SEP = "; "


@dataclass(frozen=True, slots=True, kw_only=True)
class Omission:
    """Objects an import could not read and left out.

    `count` is how many objects (None: unknown, the whole file or everything from `cut_at` on);
    `cut_at` is where a file broke off (`value[12]`; None: not cut off); `what` is the
    collection (`users`, `groupMembers/<id>`); `reason` names the place in the file and why.
    """

    tenant: str
    what: str
    file: str
    reason: str
    count: int | None = None
    cut_at: str | None = None

    def summary(self) -> str:
        """`1 of the users of contoso`, `all users of contoso`, `the users of contoso from
        value[12] on`: short enough for every answer's extensions."""
        if self.cut_at is not None:
            text = f"the {self.what} of {self.tenant} from {self.cut_at} on"
        elif self.count is None:
            text = f"all {self.what} of {self.tenant}"
        else:
            text = f"{self.count} of the {self.what} of {self.tenant}"
        return text.replace(";", ",")  # the separator of the marker


def summarise(omissions: Sequence[Omission]) -> tuple[str, ...]:
    """One summary per collection left out (`37 of the users of contoso`), in order."""
    counted: dict[tuple[str, str, str | None], int | None] = {}
    for o in omissions:  # one entry per collection: `37 of the users of contoso`
        key = (o.tenant, o.what, o.cut_at)
        before = counted.get(key, 0)
        counted[key] = None if o.count is None or before is None else before + o.count
    return tuple(
        Omission(tenant=t, what=w, file="", reason="", count=n, cut_at=a).summary()
        for (t, w, a), n in counted.items()
    )


def mark_partial(source: str, summaries: Sequence[str]) -> str:
    """`source` with the marker naming what was left out (unchanged when nothing was)."""
    return f"{source}{_MARK}{_SEP.join(summaries)}]" if summaries else source


def omitted(source: str | None) -> tuple[str, ...]:
    """What the marker in `source` says was left out (empty when the import was whole)."""
    found = _MARKED.search(source or "")
    return () if found is None else tuple(found["items"].split(_SEP))
