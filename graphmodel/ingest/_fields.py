"""Typed reads of plain YAML data that record a located `Issue` instead of raising (style P9).

Every builder reads through one `Collector`, so a world file's problems are all collected in one
pass, each with its path, line and a message in the project's style (lower-case, one sentence,
user input in backticks). A read that fails returns None (or the default) and the builder carries
on, so later problems are still found.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import TypeVar

from graphmodel.errors import Issue
from graphmodel.ingest.yamlsource import Loc, Share, line_of
from graphmodel.schema.suggest import suggest

__all__ = ["Collector", "describe", "render_loc", "suggest"]

E = TypeVar("E", bound=StrEnum)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_BAD_NAME_CHARS = re.compile(r"[/:\s]")
_PROGRESS_STEPS = 500  # at most this many progress calls per followed pass


def render_loc(loc: Loc) -> str:
    """`("world", "tenants", 0, "users")` → `world.tenants[0].users` (as `Issue.path` does)."""
    return Issue(code="", loc=loc, msg="").path


def describe(value: object) -> str:
    """A short phrase for a value of the wrong type: `the string `yes``, `a list`."""
    if isinstance(value, bool):
        return f"the boolean `{str(value).lower()}`"
    if isinstance(value, int | float):
        return f"the number `{value}`"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the string `{shown}`"
    if isinstance(value, datetime | date):
        return f"the timestamp `{value.isoformat()}`"
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a value of type `{type(value).__name__}`"  # pragma: no cover - yamlsource filters


def _quote_hint(value: object) -> str:
    if isinstance(value, bool):
        return (
            "; yaml reads unquoted `yes`, `no`, `on`, `off`, `true` and `false` as booleans,"
            " so quote it"
        )
    if isinstance(value, int | float | datetime | date):
        return "; quote it to make it a string"
    return ""


class Collector:
    """Collects errors and warnings for one document; `lines` locates every path."""

    def __init__(self, *, file: str, lines: Mapping[Loc, int]) -> None:
        self.file = file
        self.lines = lines
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []
        self._progress: Share | None = None
        self._last_line = 1
        self._step = 1
        self._next_line = 0

    def follow(self, progress: Share, *, last_line: int) -> None:
        """From now on tell `progress` how far through the file (by line) the mappings checked
        are; for a pass that visits the file's entities in order."""
        self._progress = progress
        self._last_line = max(1, last_line)
        self._step = max(1, self._last_line // _PROGRESS_STEPS)
        self._next_line = 0

    def _reached(self, loc: Loc) -> None:
        line = self.lines.get(loc)
        if self._progress is not None and line is not None and line >= self._next_line:
            self._next_line = line + self._step
            self._progress(line / self._last_line)

    # ------------------------------------------------------------------ recording
    def line(self, loc: Loc) -> int | None:
        return line_of(self.lines, loc)

    def issue(self, code: str, loc: Loc, msg: str, **ctx: str) -> Issue:
        return Issue(
            code=code, loc=loc, msg=msg, file=self.file, line=line_of(self.lines, loc), ctx=ctx
        )

    def error(self, code: str, loc: Loc, msg: str, **ctx: str) -> None:
        self.errors.append(self.issue(code, loc, msg, **ctx))

    def warn(self, code: str, loc: Loc, msg: str, **ctx: str) -> None:
        self.warnings.append(self.issue(code, loc, msg, **ctx))

    def wrong_type(self, loc: Loc, what: str, expected: str, value: object) -> None:
        hint = _quote_hint(value) if expected.startswith(("a string", "a name")) else ""
        self.error("invalid-type", loc, f"`{what}` must be {expected}, got {describe(value)}{hint}")

    # ------------------------------------------------------------------ shapes
    def mapping(
        self,
        value: object,
        loc: Loc,
        *,
        what: str,
        fields: Collection[str],
        required: Collection[str] = (),
    ) -> dict[str, object] | None:
        """`value` as a mapping whose keys are all in `fields` (unknown keys are issues)."""
        if self._progress is not None:
            self._reached(loc)
        if not isinstance(value, dict):
            self.wrong_type(loc, what, "a mapping", value)
            return None
        for key in value:
            if key not in fields:
                hint = suggest(key, fields) or "; expected one of " + ", ".join(
                    f"`{f}`" for f in fields
                )
                self.error("unknown-field", (*loc, key), f"unknown field `{what}.{key}`{hint}")
        for key in required:
            if key not in value:
                self.error("missing-field", loc, f"`{what}` needs `{key}`")
        return value

    def items(self, value: object, loc: Loc, *, what: str) -> Iterator[tuple[Loc, object]]:
        """The items of a list with their paths; null means an empty list."""
        if value is None:
            return
        if not isinstance(value, list):
            self.wrong_type(loc, what, "a list", value)
            return
        for i, item in enumerate(value):
            yield (*loc, i), item

    # ------------------------------------------------------------------ scalars
    def text(self, value: object, loc: Loc, *, what: str) -> str | None:
        if isinstance(value, str):
            if not value.strip():
                self.error("invalid-value", loc, f"`{what}` must not be empty")
                return None
            return value
        self.wrong_type(loc, what, "a string", value)
        return None

    def name(self, value: object, loc: Loc, *, what: str) -> str | None:
        """A handle: a non-empty string without `/`, `:` or spaces (they separate handles)."""
        text = self.text(value, loc, what=what)
        if text is not None and _BAD_NAME_CHARS.search(text):
            self.error(
                "invalid-value",
                loc,
                f"`{what}` `{text}` must not contain `/`, `:` or spaces, which separate handles",
            )
            return None
        return text

    def email(self, value: object, loc: Loc, *, what: str) -> str | None:
        text = self.text(value, loc, what=what)
        if text is not None and not _EMAIL.match(text):
            self.error("invalid-value", loc, f"`{what}` `{text}` is not an email address")
            return None
        return text

    def domain(self, value: object, loc: Loc, *, what: str, wildcard: bool = False) -> str | None:
        """A domain name, lower-cased (`*.example.com` too when `wildcard`)."""
        text = self.text(value, loc, what=what)
        if text is None:
            return None
        lowered = text.lower()
        bare = lowered[2:] if wildcard and lowered.startswith("*.") else lowered
        if not _DOMAIN.match(bare):
            self.error("invalid-value", loc, f"`{text}` is not a domain name")
            return None
        return lowered

    def flag(self, m: Mapping[str, object], key: str, loc: Loc, *, default: bool) -> bool:
        found = self.opt_flag(m, key, loc)
        return default if found is None else found

    def opt_flag(self, m: Mapping[str, object], key: str, loc: Loc) -> bool | None:
        """A boolean field; missing or null is None."""
        value = m.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.wrong_type((*loc, key), key, "`true` or `false`", value)
        return None

    def choice(self, value: object, loc: Loc, cls: type[E], *, what: str) -> E | None:
        """`value` as a member of the closed set `cls` (matched by value, exactly)."""
        found = self.one_of(value, loc, [m.value for m in cls], what=what)
        return None if found is None else cls(found)

    def one_of(self, value: object, loc: Loc, allowed: Sequence[str], *, what: str) -> str | None:
        """`value` if it is one of the `allowed` strings (an issue listing them otherwise)."""
        if isinstance(value, str):
            if value in allowed:
                return value
            hint = suggest(value, allowed)
            self.error(
                "invalid-value",
                loc,
                f"`{value}` is not a valid `{what}`{hint} (allowed: "
                + ", ".join(f"`{a}`" for a in allowed)
                + ")",
            )
            return None
        self.error(
            "invalid-value",
            loc,
            f"`{what}` must be one of "
            + ", ".join(f"`{a}`" for a in allowed)
            + f", got {describe(value)}{_quote_hint(value)}",
        )
        return None

    def field_choice(
        self, m: Mapping[str, object], key: str, loc: Loc, cls: type[E], *, default: E
    ) -> E:
        if m.get(key) is None:
            return default
        found = self.choice(m[key], (*loc, key), cls, what=key)
        return default if found is None else found

    def timestamp(self, value: object, loc: Loc, *, what: str) -> datetime | None:
        """A UTC datetime from a YAML timestamp, a date or an ISO 8601 string (naive = UTC)."""
        if isinstance(value, datetime):
            found = value
        elif isinstance(value, date):
            found = datetime.combine(value, time())
        elif isinstance(value, str):
            try:
                found = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(
                    "invalid-value",
                    loc,
                    f"`{what}` `{value}` is not an ISO 8601 time such as `2026-03-01T00:00:00Z`",
                )
                return None
        else:
            self.wrong_type(loc, what, "a date and time", value)
            return None
        if found.tzinfo is None:
            return found.replace(tzinfo=UTC)
        return found.astimezone(UTC)

    def texts(self, value: object, loc: Loc, *, what: str) -> list[tuple[Loc, str]]:
        """A list of strings with their paths; a repeated value is an issue (lists are sets)."""
        out: list[tuple[Loc, str]] = []
        seen: set[str] = set()
        for item_loc, item in self.items(value, loc, what=what):
            text = self.text(item, item_loc, what=f"{what}[]")
            if text is None:
                continue
            if text in seen:
                self.error("duplicate-value", item_loc, f"`{text}` is listed twice in `{what}`")
                continue
            seen.add(text)
            out.append((item_loc, text))
        return out

    def choices(self, value: object, loc: Loc, cls: type[E], *, what: str) -> list[E]:
        out: list[E] = []
        for item_loc, text in self.texts(value, loc, what=what):
            found = self.choice(text, item_loc, cls, what=what)
            if found is not None:
                out.append(found)
        return out
