"""Reading Teams: teams, their members, channels, channel members and shared-with teams.

Layout under `teams/<teamId>/`: `team.json`, `members.json`, `channels.json` (allChannels, so it
may list channels shared *into* the team from other tenants), and per channel
`channels/<channelKey>/members.json`, `sharedWithTeams.json` and
`sharedWithTeams/<teamId>/allowedMembers.json`. A conversation member's `userId` is the object
id in the member's *home* tenant (`tenantId`): external direct-connect members have no account
in the host tenant, so they are linked across tenants later.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from graphmodel.ingest.graph_export import layout as L
from graphmodel.ingest.graph_export.files import iter_file
from graphmodel.ingest.graph_export.reader import Report
from graphmodel.ingest.graph_export.records import (
    ChannelRec,
    ConvMember,
    SharedTeamRec,
    TeamRec,
    TenantData,
)
from graphmodel.ingest.graph_export.values import At, odata_type
from graphmodel.schema.enums import MembershipType

__all__ = ["conversation_members", "read_teams"]

_MEMBER_TYPES = (None, "aadUserConversationMember", "conversationMember")
_TEAM_IN_ID = re.compile(r"/teams/([^/]+)/channels/", re.IGNORECASE)


def read_teams(data: TenantData, report: Report) -> None:
    root = data.folder / L.TEAMS_DIR
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        data.teams.append(_team(folder, report))


def _team(folder: Path, report: Report) -> TeamRec:
    team_id = folder.name.lower()
    team = TeamRec(At(report, report.rel(folder)), team_id, None)
    for at, obj in iter_file(folder / "team.json", report):
        team.at = at
        team.display = at.text(obj, "displayName")
    if (folder / "members.json").is_file():
        team.members = conversation_members(folder / "members.json", report)
    by_id: dict[str, ChannelRec] = {}
    for at, obj in iter_file(folder / "channels.json", report):
        cid = at.text(obj, "id")
        if not cid:
            at.warn("missing-property", "a channel without `id` is left out")
            continue
        odata_id = at.text(obj, "@odata.id") or ""
        host = _TEAM_IN_ID.search(odata_id)
        by_id[cid] = ChannelRec(
            at=at,
            id=cid,
            display=at.text(obj, "displayName"),
            kind=at.choice(obj, "membershipType", MembershipType),
            tenant_id=at.guid(obj, "tenantId", what="tenant id"),
            host_team_id=host.group(1).lower() if host else None,
        )
    channels_dir = folder / "channels"
    if channels_dir.is_dir():
        for sub in sorted(p for p in channels_dir.iterdir() if p.is_dir()):
            cid = L.channel_id_from_dir(sub.name)
            channel = by_id.get(cid)
            if channel is None:
                report.warn("unknown-reference", report.rel(sub), (),
                            f"channel `{cid}` is not in `channels.json`; its files are ignored")
                continue
            _channel_files(channel, sub, report)
    team.channels = list(by_id.values())
    return team


def _channel_files(channel: ChannelRec, folder: Path, report: Report) -> None:
    if (folder / "members.json").is_file():
        channel.members = conversation_members(folder / "members.json", report)
    for at, obj in iter_file(folder / "sharedWithTeams.json", report):
        team_id = at.guid(obj, "id", what="team id")
        if team_id is None:
            at.warn("missing-property", "a shared-with team without `id` is left out")
            continue
        shared = SharedTeamRec(
            at=at,
            team_id=team_id,
            tenant_id=at.guid(obj, "tenantId", what="tenant id"),
            display=at.text(obj, "displayName"),
            is_host=at.flag(obj, "isHostTeam") is True,
        )
        allowed = folder / "sharedWithTeams" / team_id / "allowedMembers.json"
        if allowed.is_file():
            shared.allowed = conversation_members(allowed, report)
        channel.shared.append(shared)


def conversation_members(path: Path, report: Report) -> list[ConvMember]:
    out: list[ConvMember] = []
    for at, obj in iter_file(path, report):
        member = _member(at, obj)
        if member is not None:
            out.append(member)
    return out


def _member(at: At, obj: dict[str, Any]) -> ConvMember | None:
    kind = odata_type(obj)
    if kind not in _MEMBER_TYPES:
        at.warn("not-modelled", f"a `{kind}` member is not a Microsoft Entra user and is left out")
        return None
    user_id = at.guid(obj, "userId", what="user id")
    if user_id is None:
        at.warn("missing-property", "a member without `userId` is left out")
        return None
    return ConvMember(
        at=at,
        user_id=user_id,
        tenant_id=at.guid(obj, "tenantId", what="tenant id"),
        email=at.text(obj, "email"),
        display=at.text(obj, "displayName"),
    )
