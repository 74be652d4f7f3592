"""Typed checks of a scenario file (`scenarios.md` §Checks): questions with expected answers."""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.schema.enums import Via

__all__ = [
    "AccessCheck",
    "Check",
    "FindingCheck",
    "InviteCheck",
    "RequestCheck",
    "Scenario",
    "SignUpCheck",
    "WhoCanAccessCheck",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessCheck:
    index: int
    line: int | None
    principal: str
    resource: str
    via: Via = Via.ANY
    expect: str = "allow"  # allow | pending | deny
    mfa: str | None = None  # none | home | resource
    reasons: tuple[str, ...] = ()
    path: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InviteCheck:
    index: int
    line: int | None
    invitee: str  # a handle `tenant/user` or an email address
    inviter: str  # user ref in the inviting tenant
    expect: str = "allow"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SignUpCheck:
    index: int
    line: int | None
    email: str
    app: str
    identity_provider: str
    expect: str = "allow"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestCheck:
    index: int
    line: int | None
    requester: str
    access_package: str
    expect: str = "allow"
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class WhoCanAccessCheck:
    """The exact set of principals reaching `resource`; with `outsiders`, only the principals
    from outside the resource's tenant (scenarios.md, "Outsiders")."""

    index: int
    line: int | None
    resource: str
    expect: tuple[str, ...]
    pending: tuple[str, ...] | None = None
    outsiders: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class FindingCheck:
    """The exact set of subjects an audit check reports for one tenant at the world's `asOf`.

    `check` is an audit check id; whether it exists is the runner's question (the catalogue
    lives above the loader). `days` is the check's threshold, None for its default.
    """

    index: int
    line: int | None
    check: str
    tenant: str
    days: int | None
    expect: tuple[str, ...]


Check = AccessCheck | InviteCheck | SignUpCheck | RequestCheck | WhoCanAccessCheck | FindingCheck


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A scenario file: metadata, its World and its checks."""

    file: str
    title: str | None
    source: str | None
    rules: tuple[str, ...]
    checks: tuple[Check, ...]
