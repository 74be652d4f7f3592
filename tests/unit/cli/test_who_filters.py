"""`tenantgraph who` / `reachable`: outsider labels and the filters, end to end through `main()`.

The demo world has a Google guest (`contoso/gail`): she is an outsider of contoso, so `who`
must not label her `(member)` and `--usage unused` must keep her (social and one-time-passcode
guests used to vanish from "unused external access"). Expected sets are read from the demo
world file, not from the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphmodel.cli import main
from graphmodel.ingest import load_world_file
from graphmodel.service import GraphService
from graphmodel.stores import open_store

DEMO = Path(__file__).resolve().parents[3] / "fixtures" / "demo.yaml"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("who") / "demo.db"
    with open_store("memory", path=str(path)) as store:
        GraphService(store).load_world(load_world_file(DEMO), source="demo")
    return path


@pytest.fixture
def run(db: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def lines(*argv: str) -> list[str]:
        assert main([*argv, "--db", str(db)]) == 0
        return capsys.readouterr().out.splitlines()

    return lines


def _principals(lines: list[str]) -> list[str]:
    return [x.split()[1] for x in lines if not x.startswith("...")]


def test_a_google_guest_is_an_outsider_not_a_member(run) -> None:  # type: ignore[no-untyped-def]
    everyone = run("who", "contoso/wiki")
    gail = [x for x in everyone if x.split()[1] == "contoso/gail"]
    assert len(gail) == 1 and "never used" in gail[0] and "(member)" not in gail[0]
    assert any(x.split()[1] == "contoso/alice" and "(member)" in x for x in everyone)
    assert "contoso/gail" in _principals(run("who", "contoso/wiki", "--usage", "unused"))
    assert "contoso/alice" not in _principals(run("who", "contoso/wiki", "--usage", "unused"))


def test_outsiders_are_the_other_tenants_users_and_the_social_guest(run) -> None:  # type: ignore[no-untyped-def]
    world = load_world_file(DEMO)
    everyone = _principals(run("who", "contoso/wiki"))
    insiders = {
        u.ref
        for u in world.users
        if u.tenant == "contoso" and u.home_ref is None and u.identity_provider.value == "entra"
    }
    outsiders = _principals(run("who", "contoso/wiki", "--outsiders"))
    assert outsiders == [p for p in everyone if p not in insiders]
    assert "contoso/gail" in outsiders and any(p.startswith("fabrikam/") for p in outsiders)


def test_kind_home_tenant_and_route_filters(run) -> None:  # type: ignore[no-untyped-def]
    assert _principals(run("who", "contoso/wiki", "--kind", "social_guest")) == ["contoso/gail"]
    fabrikam = _principals(run("who", "contoso/wiki", "--home-tenant", "fabrikam"))
    assert fabrikam and all(p.startswith("fabrikam/") for p in fabrikam)
    both = _principals(
        run("who", "contoso/wiki", "--home-tenant", "fabrikam", "--home-tenant", "adatum")
    )
    assert set(both) == set(fabrikam) | {"adatum/abe"}
    members = _principals(run("who", "contoso/wiki", "--via", "member"))
    assert members and all(p.startswith("contoso/") and p != "contoso/gail" for p in members)
    routes = run("reachable", "fabrikam/bob", "--via", "B2B_COLLABORATION")
    assert routes and all("via B2B_COLLABORATION" in x for x in routes)


def test_json_says_what_each_principal_is(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads("\n".join(run("who", "contoso/wiki", "--outsiders", "--json")))
    by_ref = {d["principal"]["ref"]: d for d in data}
    assert by_ref["contoso/gail"]["kind"] == "SOCIAL_GUEST"
    assert by_ref["contoso/gail"]["homeTenant"] is None
    assert by_ref["fabrikam/bob"]["kind"] == "B2B_GUEST"
    assert by_ref["fabrikam/bob"]["homeTenant"] == "fabrikam"
    assert all(d["outsider"] for d in data)


def test_an_unknown_kind_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["who", "contoso/wiki", "--kind", "alien", "--db", str(db)]) == 2
    assert "invalid kind `alien`" in capsys.readouterr().err
