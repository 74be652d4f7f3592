"""What a tenant-scoped token may see, and how the rest is redacted.

Why here: scoping is an access-control concern of the API, not a policy of the engine. A token
scoped to tenants `{contoso}` sees contoso's objects in full. Objects of other tenants are never
returned as objects; where an answer must mention one (a path hop, a principal reaching a
contoso app, a channel's external member, a reason owned by the other side) it appears as
`tenant/<kind>` (`fabrikam/<user>`), and the policy object of a reason the other tenant owns is
withheld. Questions *about* another tenant's resource are refused with `forbidden`. An unscoped
viewer sees everything and nothing is rewritten.

Errors are masked the same way (`mask_error`): their messages and located issues through `text`,
and a "did you mean" hint naming another tenant's object is dropped, so an error cannot be used
to find out which names another tenant has.

Every check of an object or tenant (`require`, `require_tenant`) is remembered in `required`, for
any viewer: the tenants a mutation was authorised on are the tenants whose change its audit-log
entry records (`api.audit_log`).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError

from api.auth import Viewer
from api.errors import ApiError
from api.lookups import WorldLookups, lookups_for
from graphmodel.schema.world import World

__all__ = ["Scope"]

_HINT = re.compile(r"; did you mean `(?P<ref>[^`]*)`\?")
# `tenant/name` or `tenant/team/channel`, not preceded by a word character (so URLs and
# `a.b/c` paths inside words stay as they are).
_REF = re.compile(r"(?<![\w@./-])([A-Za-z0-9][\w.-]*)/([\w.@#-]+(?:/[\w.@#-]+)?)")


class Scope:
    """A viewer's view of one snapshot's World."""

    def __init__(self, viewer: Viewer, world: World, snapshot: int | None) -> None:
        self.viewer = viewer
        self.world = world
        self.snapshot = snapshot
        self.tenants = viewer.tenants
        self.required: set[str] = set()  # tenants `require*` checked (audit-log owners)

    @property
    def lookups(self) -> WorldLookups:
        """Per-World tables (assignees, channels of a team, sorted lists), built once."""
        return lookups_for(self.world)

    @property
    def unscoped(self) -> bool:
        return self.tenants is None

    def sees_tenant(self, tenant: str | None) -> bool:
        return self.tenants is None or (tenant is not None and tenant in self.tenants)

    def sees(self, ref: str) -> bool:
        """True when the object `ref` (`tenant/...`) belongs to a tenant in scope."""
        return self.sees_tenant(ref.partition("/")[0])

    def kind_of(self, ref: str) -> str:
        w = self.world
        for kind, table in (
            ("user", w.user_by_ref),
            ("group", w.group_by_ref),
            ("app", w.app_by_ref),
            ("team", w.team_by_ref),
            ("channel", w.channel_by_ref),
            ("access-package", w.access_package_by_ref),
        ):
            if ref in table:
                return kind
        return "object"

    def ref(self, ref: str) -> str:
        """`ref` itself when in scope, else `tenant/<kind>`.

        Examples
        --------
        >>> from api.auth import Role
        >>> s = Scope(Viewer(role=Role.READER, tenants=frozenset({"contoso"})), World(), None)
        >>> s.ref("contoso/alice"), s.ref("fabrikam/bob")
        ('contoso/alice', 'fabrikam/<object>')
        """
        if self.sees(ref) or "/" not in ref:
            return ref
        return f"{ref.partition('/')[0]}/<{self.kind_of(ref)}>"

    def refs(self, refs: tuple[str, ...] | list[str]) -> list[str]:
        return [self.ref(r) for r in refs]

    def text(self, message: str) -> str:
        """A message with every out-of-scope `tenant/name` handle redacted."""
        if self.tenants is None:
            return message

        def swap(m: re.Match[str]) -> str:
            if m.group(1) not in self.world.tenant_by_name:
                return m.group(0)
            return self.ref(m.group(0))

        return _REF.sub(swap, message)

    def message(self, message: str) -> str:
        """An error message for this viewer: hints at other tenants' objects dropped, the rest
        as `text`.

        Examples
        --------
        >>> from api.auth import Role
        >>> from graphmodel.schema import Tenant
        >>> w = World(tenants=tuple(Tenant(name=n, id=n, domains=()) for n in ("contoso", "x")))
        >>> s = Scope(Viewer(role=Role.READER, tenants=frozenset({"contoso"})), w, None)
        >>> s.message("principal `x/bo` not found; did you mean `x/bob`?")
        'principal `x/<object>` not found'
        >>> s.message("principal `contoso/bo` not found; did you mean `contoso/bob`?")
        'principal `contoso/bo` not found; did you mean `contoso/bob`?'
        """
        if self.tenants is None:
            return message

        def hint(m: re.Match[str]) -> str:
            ref = m["ref"]
            return m.group(0) if "/" not in ref or self.sees(ref) else ""

        return self.text(_HINT.sub(hint, message))

    def mask_error(self, error: GraphQLError) -> None:
        """Mask `error` in place for this viewer (message, suggestion, located issues)."""
        if self.tenants is None:
            return
        error.message = self.message(error.message)
        ext: dict[str, Any] = dict(error.extensions or {})
        suggestion = ext.get("suggestion")
        if isinstance(suggestion, str) and not self.sees(suggestion):
            del ext["suggestion"]
        issues = ext.get("issues")
        if isinstance(issues, list):
            ext["issues"] = [
                {**i, "message": self.message(str(i.get("message", "")))}
                if isinstance(i, dict) else i
                for i in issues
            ]
        error.extensions = ext

    def policy(self, tenant: str | None, policy: str | None) -> str | None:
        """A reason's policy object, withheld when another tenant owns it."""
        return policy if self.sees_tenant(tenant) else None

    def require(self, ref: str, what: str) -> None:
        """Refuse a question about an object outside the scope."""
        self.required.add(ref.partition("/")[0])
        if not self.sees(ref):
            raise ApiError(
                "forbidden",
                f"this token is scoped to {', '.join(sorted(self.tenants or ()))}; "
                f"the {what} `{self.ref(ref)}` is outside it",
            )

    def require_tenant(self, tenant: str) -> None:
        self.required.add(tenant)
        if not self.sees_tenant(tenant):
            raise ApiError("forbidden", f"tenant `{tenant}` is outside this token's scope")
