"""Typed, tolerant access to Graph JSON properties, each problem becoming a located warning.

Every Graph property is optional (documentation samples are truncated, live responses omit what
was not `$select`ed), enums grow (`unknownFutureValue` and later members) and samples hold
placeholders (`"appId": "appId-value"`). These helpers return None for an absent or unusable
value and say why in a warning at the exact JSON path, so mapping code stays short and never
raises on odd input.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar, cast

from graphmodel.ingest.graph_export.reader import Loc, Report

__all__ = ["At", "odata_type"]

E = TypeVar("E", bound=StrEnum)
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


@cache
def _members(cls: type[StrEnum]) -> dict[str, StrEnum]:
    return {m.value.lower(): m for m in cls}


def odata_type(obj: Mapping[str, Any]) -> str | None:
    """`@odata.type` without `#` and the `microsoft.graph.` namespace (both spellings occur).

    Examples
    --------
    >>> odata_type({"@odata.type": "#microsoft.graph.user"}), odata_type({})
    ('user', None)
    >>> odata_type({"@odata.type": "microsoft.graph.azureActiveDirectoryTenant"})
    'azureActiveDirectoryTenant'
    """
    raw = obj.get("@odata.type")
    if not isinstance(raw, str):
        return None
    return raw.lstrip("#").removeprefix("microsoft.graph.")


@dataclass(frozen=True, slots=True)
class At:
    """A position in one file; reads properties of the object there and reports problems."""

    report: Report
    file: str | None
    loc: Loc = ()

    def sub(self, *parts: str | int) -> At:
        return At(self.report, self.file, (*self.loc, *parts))

    def warn(self, code: str, msg: str, *parts: str | int, **ctx: str) -> None:
        self.report.warn(code, self.file, (*self.loc, *parts), msg, **ctx)

    # --- scalars --------------------------------------------------------------------------
    def text(self, obj: Mapping[str, Any], key: str) -> str | None:
        value = obj.get(key)
        if value is None or isinstance(value, str):
            return value
        self.warn("wrong-type", f"`{key}` should be a string, not `{value!r}`"[:120], key)
        return None

    def flag(self, obj: Mapping[str, Any], key: str) -> bool | None:
        """A Boolean; the quirky `""` of a documentation sample is read as absent, with a note."""
        value = obj.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        self.warn("wrong-type", f"`{key}` should be true or false, not `{value!r}`"[:120], key)
        return None

    def texts(self, obj: Mapping[str, Any], key: str) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn("wrong-type", f"`{key}` should be a list", key)
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str):
                out.append(item)
            else:
                self.warn(
                    "wrong-type", f"`{key}` items should be strings, not `{item!r}`"[:120], key, i
                )
        return out

    def mapping(self, obj: Mapping[str, Any], key: str) -> dict[str, Any] | None:
        value = obj.get(key)
        if value is None or isinstance(value, dict):
            return value
        self.warn("wrong-type", f"`{key}` should be an object", key)
        return None

    def objects(self, obj: Mapping[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn("wrong-type", f"`{key}` should be a list", key)
            return []
        out: list[tuple[int, dict[str, Any]]] = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            else:
                self.warn("wrong-type", f"`{key}` items should be objects", key, i)
        return out

    # --- typed values ---------------------------------------------------------------------
    def choice(self, obj: Mapping[str, Any], key: str, cls: type[E]) -> E | None:
        """An enum member; an unknown value (`unknownFutureValue`, new members) is reported."""
        value = self.text(obj, key)
        if value is None:
            return None
        found = _members(cls).get(value.lower())
        if found is not None:
            return cast(E, found)
        known = ", ".join(f"`{m.value}`" for m in cls)
        self.warn("unknown-enum-value", f"`{key}` value `{value}` is not one of {known}", key)
        return None

    def guid(self, obj: Mapping[str, Any], key: str, *, what: str = "id") -> str | None:
        """An id, lower-cased; a malformed one is reported and kept (ids are opaque keys)."""
        value = self.text(obj, key)
        if value is None:
            return None
        if not _GUID.match(value):
            self.warn("malformed-id", f"{what} `{value}` is not a GUID", key)
            return value
        return value.lower()

    def required_id(self, obj: Mapping[str, Any], what: str) -> str | None:
        """The object's `id`; without one the object cannot be linked and is left out."""
        found = self.guid(obj, "id", what=f"{what} id")
        if found is None:
            name = obj.get("displayName")
            label = f" `{name}`" if isinstance(name, str) else ""
            self.warn("missing-property", f"{what}{label} has no `id` and is left out")
        return found

    def timestamp(self, obj: Mapping[str, Any], key: str) -> datetime | None:
        value = self.text(obj, key)
        if value is None:
            return None
        text = value.strip().replace("Z", "+00:00")
        head, dot, frac = text.partition(".")
        if dot:  # Graph writes 1-7 fractional digits; fromisoformat takes at most 6
            digits = "".join(ch for ch in frac if ch.isdigit())
            rest = frac[len(digits) :]
            text = f"{head}.{(digits + '000000')[:6]}{rest}"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.warn("wrong-type", f"`{key}` value `{value}` is not an ISO 8601 time", key)
            return None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
