"""Suggestions for a mistyped name, id or ref ("did you mean ...?"), for every layer.

Why in `schema`: the loader (unknown fields and enum values), the change-set reader, the engine
(unknown principal or resource) and the CLI all suggest the same way, and `schema` is the one
layer every one of them may import.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable

__all__ = ["closest", "closest_ref", "refs_named", "suggest"]


def closest(word: str, choices: Collection[str]) -> str | None:
    """The choice closest to `word` (a typo or a different casing), or None.

    Examples
    --------
    >>> closest("payrol", ["payroll", "crm"])
    'payroll'
    >>> closest("CRM", ["payroll", "crm"])
    'crm'
    >>> closest("zzz", ["payroll", "crm"]) is None
    True
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return close[0]
    lowered = {c.lower(): c for c in choices}
    return lowered.get(word.lower())


def suggest(word: str, choices: Collection[str]) -> str:
    """`; did you mean `x`?` when a choice is close to `word`, else the empty string.

    Examples
    --------
    >>> suggest("usres", ["users", "groups"])
    '; did you mean `users`?'
    """
    close = closest(word, choices)
    return f"; did you mean `{close}`?" if close else ""


def closest_ref(ref: str, refs: Iterable[str]) -> str | None:
    """The ref closest to `ref` (`tenant/name...`), looking first inside the same tenant.

    Why by tenant first: a world can hold 100k users, and comparing a typo against every ref
    is slow; a typo is far more often in the name than in the tenant. When the tenant itself is
    mistyped, the whole ref is compared against every ref.

    Examples
    --------
    >>> closest_ref("contoso/payrol", ["contoso/payroll", "fabrikam/bob"])
    'contoso/payroll'
    >>> closest_ref("contso/payroll", ["contoso/payroll", "fabrikam/bob"])
    'contoso/payroll'
    """
    tenant = ref.partition("/")[0] + "/"
    everything = list(refs)
    same_tenant = [r for r in everything if r.startswith(tenant)]
    return closest(ref, same_tenant) or closest(ref, everything)


def refs_named(name: str, refs: Iterable[str], limit: int = 3) -> list[str]:
    """Up to `limit` refs whose part after the tenant is exactly `name`, sorted.

    Why: a newcomer types `check bob payroll`; ids are `tenant/name`, and the refs that end in
    that name are the answer to "which one did you mean".

    Examples
    --------
    >>> refs_named("bob", ["fabrikam/bob", "contoso/bob", "contoso/bobby"])
    ['contoso/bob', 'fabrikam/bob']
    >>> refs_named("launch/partners", ["contoso/launch/partners"])
    ['contoso/launch/partners']
    """
    return sorted(r for r in refs if r.partition("/")[2] == name)[:limit]
