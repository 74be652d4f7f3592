"""A real uvicorn server in a thread, and an httpx client that speaks GraphQL to it.

Nothing is mocked: the server runs `create_app` over a memory store backed by a sqlite file,
with real bearer tokens in a real token file, on a free port of 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from api import Limits, NoAuth, Role, TokenAuth, TokenStore, create_app
from api.auth import Authenticator
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.stores import open_store
from tests.support.processes import patience

WORLD = Path(__file__).with_name("world.yaml")
# The snapshot a request read and the access decision it got there.
ACCESS = """query($p: String!, $r: String!) {
  currentSnapshot { id } access(principal: $p, resource: $r) { decision codes } }"""


def seed(db: Path, world: Path = WORLD) -> None:
    """Load a world file into the store at `db` as its first snapshot."""
    with open_store("memory", path=db) as store:
        GraphService(store).load_world(load_world_file(world), source=str(world))


@dataclass
class Tokens:
    """Bearer tokens of every kind the tests use, created in the server's token file."""

    admin: str
    reader: str
    auditor: str
    contoso_reader: str
    contoso_admin: str

    @classmethod
    def create(cls, path: Path) -> Tokens:
        store = TokenStore(path)
        return cls(
            admin=store.create(Role.ADMIN, name="admin")[1],
            reader=store.create(Role.READER, name="reader")[1],
            auditor=store.create(Role.AUDITOR, name="auditor")[1],
            contoso_reader=store.create(Role.READER, tenants=["contoso"], name="c-reader")[1],
            contoso_admin=store.create(Role.ADMIN, tenants=["contoso"], name="c-admin")[1],
        )


@dataclass
class LiveServer:
    """`create_app` served by uvicorn on 127.0.0.1 in a background thread."""

    db: Path
    auth: Authenticator
    limits: Limits = field(default_factory=Limits)
    options: dict[str, Any] = field(default_factory=dict)  # more `create_app` keywords
    fast_lane: bool = True
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    port: int = 0
    app: Any = None

    def start(self) -> LiveServer:
        app = create_app(
            lambda: GraphService(open_store("memory", path=self.db)),
            auth=self.auth,
            limits=self.limits,
            **self.options,
            fast_lane=self.fast_lane,
        )
        return self.start_app(app)

    def start_app(self, app: Any) -> LiveServer:
        """Serve `app` (made by the test itself) the way `start` serves its own."""
        self.app = app
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + patience(20)  # load-scaled: the machine may be busy
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=patience(20))
            assert not self.thread.is_alive(), "the test server did not stop"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, token: str | None = None) -> Client:
        return Client(self.url, token)


class Client:
    """POSTs GraphQL documents; `data()` asserts there were no errors."""

    def __init__(self, url: str, token: str | None) -> None:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=url, headers=headers, timeout=120)

    def post(self, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.post("/graphql", json={"query": query, "variables": variables or {}})

    def result(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(query, variables)
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.result(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def codes(self, query: str, variables: dict[str, Any] | None = None) -> list[str]:
        """The `extensions.code` of every error of the answer."""
        body = self.result(query, variables)
        return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def token_auth(tokens_file: Path) -> TokenAuth:
    return TokenAuth(TokenStore(tokens_file))


__all__ = ["ACCESS", "WORLD", "Client", "LiveServer", "NoAuth", "Tokens", "seed", "token_auth"]
