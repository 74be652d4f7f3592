"""N+1: nested node lookups are answered in a few loader batches, however many objects."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from api import Limits, Role, Viewer
from api.context import Context
from api.cursors import CursorSealer
from api.schema import build_schema
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.service.management import Management
from graphmodel.stores import open_store
from tests.api.support import WORLD

NESTED = """{ groups { nodes { members {
  ... on User { ref tenant { name } home { ... on User { ref tenant { name } } } }
  ... on Group { ref members { __typename } } } } } }"""


def test_nested_lookups_are_batched() -> None:
    with open_store("memory") as store:
        service = GraphService(store)
        service.load_world(load_world_file(WORLD), source=str(WORLD))
        context = Context(
            request=Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []}),
            response=Response(),
            service=service,
            management=Management(service),
            viewer=Viewer(role=Role.ADMIN),
            limits=Limits(),
            cursors=CursorSealer(),
        )
        result = asyncio.run(build_schema().execute(NESTED, context_value=context))
    assert result.errors is None, result.errors
    assert result.data is not None
    members = [m for g in result.data["groups"]["nodes"] for m in g["members"]]
    homes = [m for m in members if m.get("home")]
    assert len(members) >= 7 and homes
    # one batch per nesting level (members, then tenants + homes, then the homes' tenants)
    assert context.loaders.batches <= 4 < len(members) + len(homes)
