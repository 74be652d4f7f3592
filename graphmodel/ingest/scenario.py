"""Load scenario files (`scenarios.md`): a world plus checks, the engine's conformance contract.

Checks are strict for the same reason worlds are: a typo must never turn a check into a no-op.
A check's kind is given by its leading key (`principal`, `invite`, `signUp`, `request`,
`whoCanAccess`, `finding`); any key the kind does not define, a decision outside
allow/pending/deny, a reason code not in `reasons.md` or a handle that names nothing in the
world is an issue. The
world's and the checks' issues are raised together, so one run shows everything to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path

from graphmodel.errors import Issue, WorldInvalid
from graphmodel.ingest._build import build_world, sort_issues
from graphmodel.ingest._fields import Collector, suggest
from graphmodel.ingest._index import NameIndex
from graphmodel.ingest.checks import (
    AccessCheck,
    Check,
    FindingCheck,
    InviteCheck,
    RequestCheck,
    Scenario,
    SignUpCheck,
    WhoCanAccessCheck,
)
from graphmodel.ingest.reason_codes import REASON_CODES
from graphmodel.ingest.world import read_source
from graphmodel.ingest.yamlsource import Loc, parse_yaml
from graphmodel.schema.enums import IdentityProviderKind, Via
from graphmodel.schema.world import World

__all__ = [
    "DECISIONS",
    "MFA_PLACES",
    "discover_scenario_files",
    "load_scenario_file",
    "load_scenario_file_with_warnings",
    "load_scenario_text",
    "load_scenario_text_with_warnings",
]

DECISIONS = ("allow", "pending", "deny")
MFA_PLACES = ("none", "home", "resource")
_FIELDS: dict[str, tuple[str, ...]] = {
    "principal": ("principal", "resource", "via", "expect", "mfa", "reasons", "path"),
    "invite": ("invite", "by", "expect", "reasons"),
    "signUp": ("signUp", "app", "identityProvider", "expect", "reasons"),
    "request": ("request", "accessPackage", "expect", "reasons"),
    "whoCanAccess": ("whoCanAccess", "outsiders", "expect", "pending"),
    "finding": ("finding", "tenant", "days", "expect"),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "principal": ("resource", "expect"),
    "invite": ("by", "expect"),
    "signUp": ("app", "identityProvider", "expect"),
    "request": ("accessPackage", "expect"),
    "whoCanAccess": ("expect",),
    "finding": ("tenant", "expect"),
}


def load_scenario_text_with_warnings(
    text: str, *, file: str = "<input>"
) -> tuple[World, Scenario, list[Issue]]:
    """Parse a scenario; raise `WorldInvalid` with every problem of world and checks."""
    doc = parse_yaml(text, file=file)
    if doc.data is None and doc.issues:
        raise WorldInvalid(list(doc.issues))
    c = Collector(file=file, lines=doc.lines)
    build = build_world(c, doc.data)
    top = build.top
    if top and not build.wrapped:
        c.error(
            "missing-field",
            (),
            "a scenario file has `world:` and `checks:` at the top level; this is a bare world",
        )
    elif top and "checks" not in top:
        c.error("missing-field", (), "a scenario file needs `checks`")
    elif top and top["checks"] is None:  # `checks:` with nothing after it is a slip, not `[]`
        c.error("invalid-type", ("checks",), "`checks` is empty; write `checks: []` for none")
    checks = parse_checks(c, build.index, top.get("checks"), ("checks",))
    errors = sort_issues([*doc.issues, *c.errors])
    if errors or build.world is None:
        raise WorldInvalid(errors)
    scenario = Scenario(
        file=file,
        title=build.world.title,
        source=build.world.source,
        rules=build.rules,
        checks=tuple(checks),
    )
    return build.world, scenario, sort_issues(c.warnings)


def load_scenario_text(text: str, *, file: str = "<input>") -> tuple[World, Scenario]:
    """Parse a scenario file's text into its World and checks (`WorldInvalid` on any problem)."""
    world, scenario, _ = load_scenario_text_with_warnings(text, file=file)
    return world, scenario


def load_scenario_file_with_warnings(
    path: str | PathLike[str],
) -> tuple[World, Scenario, list[Issue]]:
    """Load a scenario file; raise `WorldInvalid`, else return its warnings too."""
    text, file = read_source(path)
    return load_scenario_text_with_warnings(text, file=file)


def load_scenario_file(path: str | PathLike[str]) -> tuple[World, Scenario]:
    """Load a scenario file into its World and checks (`WorldInvalid` on any problem)."""
    text, file = read_source(path)
    return load_scenario_text(text, file=file)


def discover_scenario_files(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """The scenario files named by `paths`: files as given, directories searched recursively.

    Directories contribute their `*.yaml` and `*.yml` files in sorted order, skipping hidden
    files and folders; a path that does not exist is kept, so loading reports it. Each file
    appears once, in the order the arguments name them.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml")
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found = [path]
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def parse_checks(c: Collector, index: NameIndex, value: object, loc: Loc) -> list[Check]:
    """Every well-formed check of a `checks` list; each problem becomes an issue in `c`."""
    out: list[Check] = []
    for position, (item_loc, item) in enumerate(c.items(value, loc, what="checks")):
        if not isinstance(item, dict):
            c.wrong_type(item_loc, "checks[]", "a mapping", item)
            continue
        kinds = [k for k in _FIELDS if k in item]
        if len(kinds) != 1:
            first = next(iter(item), "")
            hint = suggest(first, _FIELDS) if first and not kinds else ""
            what = "has none of" if not kinds else "has more than one of"
            c.error(
                "unknown-check",
                item_loc,
                f"a check starts with exactly one of `principal`, `invite`, `signUp`, `request`, "
                f"`whoCanAccess` or `finding`, and this one {what} them{hint}",
            )
            continue
        kind = kinds[0]
        before = len(c.errors)
        c.mapping(item, item_loc, what="check", fields=_FIELDS[kind], required=_REQUIRED[kind])
        check = _check(c, index, kind, item, item_loc, position)
        if check is not None and len(c.errors) == before:
            out.append(check)
    return out


def _check(
    c: Collector, index: NameIndex, kind: str, m: Mapping[str, object], loc: Loc, position: int
) -> Check | None:
    line = c.line(loc)
    r = _Reader(c, index, m, loc)
    if kind == "finding":
        return _finding(c, index, m, loc, position, line)
    if kind == "whoCanAccess":
        allowed = r.user_list("expect")
        resource = r.resource("whoCanAccess")
        pending = r.user_list("pending") if m.get("pending") is not None else None
        outsiders = c.flag(m, "outsiders", loc, default=False)
        if resource is None or allowed is None:
            return None
        return WhoCanAccessCheck(
            index=position,
            line=line,
            resource=resource,
            expect=allowed,
            pending=pending,
            outsiders=outsiders,
        )
    expect = r.one_of("expect", DECISIONS)
    reasons = r.reasons()
    if kind == "principal":
        principal, resource = r.user("principal"), r.resource("resource")
        via = c.field_choice(m, "via", loc, Via, default=Via.ANY)
        mfa = r.one_of("mfa", MFA_PLACES) if m.get("mfa") is not None else None
        path = r.path()
        if principal is None or resource is None or expect is None:
            return None
        return AccessCheck(
            index=position,
            line=line,
            principal=principal,
            resource=resource,
            via=via,
            expect=expect,
            mfa=mfa,
            reasons=reasons,
            path=path,
        )
    if kind == "invite":
        invitee, inviter = r.invitee(), r.user("by")
        if invitee is None or inviter is None or expect is None:
            return None
        return InviteCheck(
            index=position,
            line=line,
            invitee=invitee,
            inviter=inviter,
            expect=expect,
            reasons=reasons,
        )
    if kind == "signUp":
        email = r.email("signUp")
        app = r.app("app")
        idp = (
            c.choice(
                m["identityProvider"],
                (*loc, "identityProvider"),
                IdentityProviderKind,
                what="identityProvider",
            )
            if "identityProvider" in m
            else None
        )
        if email is None or app is None or idp is None or expect is None:
            return None
        return SignUpCheck(
            index=position,
            line=line,
            email=email,
            app=app,
            identity_provider=idp.value,
            expect=expect,
            reasons=reasons,
        )
    requester, package = r.user("request"), r.package("accessPackage")
    if requester is None or package is None or expect is None:
        return None
    return RequestCheck(
        index=position,
        line=line,
        requester=requester,
        access_package=package,
        expect=expect,
        reasons=reasons,
    )


def _finding(
    c: Collector,
    index: NameIndex,
    m: Mapping[str, object],
    loc: Loc,
    position: int,
    line: int | None,
) -> FindingCheck | None:
    """A `finding` check: check id, tenant handle, optional `days`, expected subjects."""
    check = c.text(m.get("finding"), (*loc, "finding"), what="finding")
    tenant = c.text(m.get("tenant"), (*loc, "tenant"), what="tenant") if "tenant" in m else None
    if tenant is not None and tenant not in index.tenants:
        c.error(
            "unknown-reference",
            (*loc, "tenant"),
            f"`{tenant}` is not a tenant of this file{suggest(tenant, index.tenants)}",
        )
        tenant = None
    days: int | None = None
    raw_days = m.get("days")
    if raw_days is not None:
        if isinstance(raw_days, bool) or not isinstance(raw_days, int) or raw_days < 0:
            c.wrong_type((*loc, "days"), "days", "a whole number of days (0 or more)", raw_days)
        else:
            days = raw_days
    expect = m.get("expect")
    if not isinstance(expect, list):
        if "expect" in m:
            c.wrong_type((*loc, "expect"), "expect", "a list of subjects", expect)
        return None
    subjects = tuple(text for _, text in c.texts(expect, (*loc, "expect"), what="expect"))
    if check is None or tenant is None:
        return None
    return FindingCheck(
        index=position, line=line, check=check, tenant=tenant, days=days, expect=subjects
    )


class _Reader:
    """Reads one check's fields, resolving handles against the world's names."""

    def __init__(self, c: Collector, index: NameIndex, m: Mapping[str, object], loc: Loc) -> None:
        self.c, self.index, self.m, self.loc = c, index, m, loc

    def _text(self, key: str) -> str | None:
        if key not in self.m:
            return None
        return self.c.text(self.m[key], (*self.loc, key), what=key)

    def one_of(self, key: str, allowed: tuple[str, ...]) -> str | None:
        if key not in self.m:
            return None
        return self.c.one_of(self.m[key], (*self.loc, key), allowed, what=key)

    def user(self, key: str) -> str | None:
        text = self._text(key)
        return None if text is None else self.index.user_ref(self.c, (*self.loc, key), text)

    def email(self, key: str) -> str | None:
        if key not in self.m:
            return None
        return self.c.email(self.m[key], (*self.loc, key), what=key)

    def invitee(self) -> str | None:
        text = self._text("invite")
        if text is None:
            return None
        if "@" in text:
            return self.c.email(text, (*self.loc, "invite"), what="invite")
        return self.index.user_ref(self.c, (*self.loc, "invite"), text)

    def app(self, key: str) -> str | None:
        text = self._text(key)
        if text is None:
            return None
        found = self.index.lookup(text)
        if found is None or found[1] != "app":
            self._not(key, text, "an app")
            return None
        return text

    def resource(self, key: str) -> str | None:
        """An app ref, or a `tenant/team/channel` channel ref."""
        text = self._text(key)
        if text is None:
            return None
        if text.count("/") == 2:
            tenant_name, team, channel = text.split("/")
            tenant = self.index.tenants.get(tenant_name)
            channels = None if tenant is None else tenant.channels.get(team)
            if channels is None or channel not in channels:
                hint = suggest(channel, channels) if channels else ""
                self.c.error(
                    "unknown-reference",
                    (*self.loc, key),
                    f"`{text}` is not a channel of the world{hint}",
                )
                return None
            return text
        found = self.index.lookup(text)
        if found is None or found[1] != "app":
            self._not(key, text, "an app or a channel (`tenant/team/channel`)")
            return None
        return text

    def package(self, key: str) -> str | None:
        text = self._text(key)
        if text is None:
            return None
        split = self.index.split(text)
        if split is None or split[1] not in split[0].access_packages:
            hint = suggest(split[1], split[0].access_packages) if split else ""
            self.c.error(
                "unknown-reference",
                (*self.loc, key),
                f"`{text}` is not an access package of the world{hint}",
            )
            return None
        return text

    def _not(self, key: str, text: str, wanted: str) -> None:
        if self.index.lookup(text) is None:
            self.index.unknown(self.c, (*self.loc, key), text, wanted)
        else:
            self.c.error(
                "invalid-reference",
                (*self.loc, key),
                f"`{text}` is {self.index.describe(text)}, not {wanted}",
            )

    def user_list(self, key: str) -> tuple[str, ...] | None:
        value = self.m.get(key)
        if not isinstance(value, list):
            self.c.wrong_type((*self.loc, key), key, "a list of principals", value)
            return None
        out = []
        for item_loc, text in self.c.texts(value, (*self.loc, key), what=key):
            ref = self.index.user_ref(self.c, item_loc, text)
            if ref is not None:
                out.append(ref)
        return tuple(out)

    def reasons(self) -> tuple[str, ...]:
        out: list[str] = []
        for item_loc, text in self.c.texts(
            self.m.get("reasons"), (*self.loc, "reasons"), what="reasons"
        ):
            if text in REASON_CODES:
                out.append(text)
            else:
                self.c.error(
                    "invalid-value",
                    item_loc,
                    f"`{text}` is not a reason code of reasons.md{suggest(text, REASON_CODES)}",
                )
        return tuple(out)

    def path(self) -> tuple[str, ...] | None:
        """Handles of users, groups, apps, teams, channels or tenants, in path order."""
        if self.m.get("path") is None:
            return None
        out: list[str] = []
        value = self.m["path"]
        if not isinstance(value, list):
            self.c.wrong_type((*self.loc, "path"), "path", "a list of handles", value)
            return None
        for i, item in enumerate(value):
            item_loc = (*self.loc, "path", i)
            text = self.c.text(item, item_loc, what="path[]")
            if text is None:
                continue
            if not self._exists(text):
                self.c.error(
                    "unknown-reference",
                    item_loc,
                    f"`{text}` names nothing in the world (a path lists handles of "
                    "users, groups, apps, teams, channels or tenants)",
                )
                continue
            out.append(text)
        return tuple(out)

    def _exists(self, text: str) -> bool:
        if text in self.index.tenants or self.index.lookup(text) is not None:
            return True
        parts = text.split("/")
        if len(parts) != 3 or parts[0] not in self.index.tenants:
            return False
        return parts[2] in self.index.tenants[parts[0]].channels.get(parts[1], {})
