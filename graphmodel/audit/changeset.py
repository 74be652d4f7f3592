"""Change sets for what-if: a YAML list of changes, applied in order to a copy of a World.

Why this format: an administrator thinks in operations ("block Fabrikam inbound", "remove the
finance group from payroll"), and every value they carry uses the world-file shapes, read by the
world loader's own readers — a section is a world file's `b2bCollaborationInbound:` body, trust
an `inboundTrust:` body, a new partner a `partners:` entry — so a change set is validated like a
world file: every problem is a located issue (file, line, path), all reported together.

```yaml
title: tighten Fabrikam                       # optional
changes:
  - blockSection: {tenant: contoso, partner: fabrikam, section: b2bCollaborationInbound}
  - unblockSection: {tenant: contoso, section: b2bDirectConnectInbound}  # no partner: default
  - setSection:                                # change targets; `value: null` = inherit the
      tenant: contoso                          # default (partner) / Microsoft's shipped default
      partner: fabrikam
      section: b2bCollaborationInbound
      value:
        usersAndGroups: {accessType: allowed, targets: [{target: sellers, targetType: group}]}
        applications:
          accessType: allowed
          targets: [{target: AllApplications, targetType: application}]
  - setInboundTrust: {tenant: contoso, partner: fabrikam, value: {isMfaAccepted: false}}
  - addPartner:
      {tenant: contoso, partner: woodgrove, value: {inboundTrust: {isMfaAccepted: true}}}
  - removePartner: {tenant: contoso, partner: adatum}
  - addCloud: {tenant: contoso, endpoint: microsoftonline.us}
  - removeCloud: {tenant: contoso, endpoint: microsoftonline.us}
  - removeAssignment: {app: contoso/payroll, principal: finance}  # group or user of its tenant
  - removeGroupMember: {group: contoso/finance, member: bob}
  - disableUser: {user: contoso/bob}
  - enableUser: {user: contoso/dora}
  - removeUser: {user: contoso/bob}              # a guest, or any user no guest object points at
  - expireAssignment: {accessPackage: contoso/partner-pack, target: fabrikam/fay}
```

Sections are the world-file keys `b2bCollaborationInbound`, `b2bCollaborationOutbound`,
`b2bDirectConnectInbound`, `b2bDirectConnectOutbound`, `tenantRestrictions`; `partner` is a
tenant handle or a tenant id. Each change sees the World left by the ones before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphmodel.audit._changeops import OPS, Applier
from graphmodel.changes import ChangeSet, diff_worlds
from graphmodel.errors import ChangeSetTooLarge, Issue, WorldInvalid
from graphmodel.ingest.readers import Collector
from graphmodel.ingest.yamlsource import parse_yaml
from graphmodel.schema.suggest import suggest
from graphmodel.schema.world import World

__all__ = ["OPS", "AppliedChanges", "apply_change_text"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AppliedChanges:
    """The World after the change set, its title, how many changes, and the warnings.

    `changes` says the same in the change language every write speaks (`graphmodel.changes`):
    what `tenantgraph whatif --apply` stores as the next snapshot.
    """

    world: World
    title: str | None
    count: int
    warnings: tuple[Issue, ...]
    changes: ChangeSet


def apply_change_text(
    world: World, text: str, *, file: str = "<changes>", max_changes: int | None = None
) -> AppliedChanges:
    """Apply the change set in `text` to `world` (never modified) and return the result.

    Raises `WorldInvalid` listing every problem (file, line, path), and nothing is applied;
    `ChangeSetTooLarge` when it lists more than `max_changes` changes (checked before any is
    applied).

    Examples
    --------
    >>> from graphmodel.ingest import load_world_text
    >>> w = load_world_text("tenants: [{name: contoso, users: [alice]}]")
    >>> done = apply_change_text(w, "changes: [{disableUser: {user: contoso/alice}}]")
    >>> done.world.users[0].account_enabled, w.users[0].account_enabled
    (False, True)
    >>> try:
    ...     apply_change_text(w, "changes: [{disableUsr: {user: contoso/alice}}]")
    ... except WorldInvalid as exc:
    ...     print(exc.issues[0].msg)
    unknown change `disableUsr`; did you mean `disableUser`?
    """
    doc = parse_yaml(text, file=file)
    if doc.issues:
        raise WorldInvalid(list(doc.issues))
    c = Collector(file=file, lines=doc.lines)
    top = c.mapping(
        doc.data if doc.data is not None else {},
        (),
        what="change set",
        fields=("title", "changes"),
        required=("changes",),
    )
    title = None
    if top is not None and top.get("title") is not None:
        title = c.text(top["title"], ("title",), what="title")
    applier = Applier(c, world)
    count = 0
    items = [] if top is None else list(c.items(top.get("changes"), ("changes",), what="changes"))
    if top is not None and "changes" in top and not items and not c.errors:
        c.error("invalid-value", ("changes",), "`changes` lists no change")
    if max_changes is not None and len(items) > max_changes:
        raise ChangeSetTooLarge(len(items), max_changes)
    for loc, item in items:
        if not isinstance(item, dict) or len(item) != 1:
            c.wrong_type(loc, "changes[]", "a mapping with one change name", item)
            continue
        ((op, body),) = item.items()
        handler = OPS.get(op)
        if handler is None:
            hint = suggest(op, OPS) or "; expected one of " + ", ".join(f"`{o}`" for o in OPS)
            c.error("unknown-field", (*loc, op), f"unknown change `{op}`{hint}")
            continue
        before = len(c.errors)
        handler(applier, body, (*loc, op))
        count += len(c.errors) == before
    if c.errors:
        raise WorldInvalid(sorted(c.errors, key=lambda i: i.line or 0))
    return AppliedChanges(
        world=applier.world,
        title=title,
        count=count,
        warnings=tuple(c.warnings),
        changes=diff_worlds(world, applier.world),
    )
