"""History that fits on disk: `tenantgraph prune` and a server pruning on its own.

How to write tests here: real commands (`processes.tenantgraph`) and a live server over one
sqlite file; assert what `tenantgraph snapshots` and the file itself show afterwards.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from api import NoAuth, create_app
from graphmodel.service import GraphService
from graphmodel.service.mutations import add_group_member, remove_group_member
from graphmodel.service.writes import HistoryPolicy
from graphmodel.stores import open_store
from tests.api.processes import tenantgraph
from tests.api.support import WORLD, LiveServer, seed


def _listed(db: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(
        tenantgraph("snapshots", "--json", "--db", str(db)).stdout
    )
    return rows


def _churn(db: Path, times: int) -> None:
    """`times` one-member writes by another process."""
    with GraphService(open_store("memory", path=db)) as other:
        for i in range(times):
            change = add_group_member if i % 2 == 0 else remove_group_member
            other.update_world(lambda w, c=change: c(w, "contoso/project", "carol"), source="t")


def test_prune_keeps_the_newest_and_says_what_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    seed(db)
    _churn(db, 4)
    refused = tenantgraph("prune", "--db", str(db), check=False)
    assert refused.returncode == 2 and "--keep" in refused.stderr
    before = [row["id"] for row in _listed(db)]
    done = json.loads(tenantgraph("prune", "--keep", "2", "--json", "--db", str(db)).stdout)
    assert done["deleted"] == sorted(before[2:]) and done["oldestKept"] == before[1]
    assert done["freedBytes"] > 0
    assert [row["id"] for row in _listed(db)] == before[:2]
    text = tenantgraph("prune", "--keep", "1", "--vacuum", "--db", str(db)).stdout
    assert "deleted 1 snapshot(s)" in text and "VACUUM" in text
    assert [row["id"] for row in _listed(db)] == before[:1]
    check = tenantgraph("check", "fabrikam/bob", "contoso/portal", "--db", str(db), check=False)
    assert check.stdout.split()[0] in ("ALLOW", "DENY", "PENDING"), check  # still answers


def test_a_server_prunes_its_history_while_serving(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    seed(db, WORLD)
    policy = HistoryPolicy(keep=2, every_s=0.2)
    live = LiveServer(db, NoAuth())
    app = create_app(
        lambda: GraphService(open_store("memory", path=db)), auth=NoAuth(), history=policy
    )
    live.start_app(app)
    try:
        _churn(db, 5)
        deadline = time.monotonic() + 60
        while len(_listed(db)) > 2:
            assert time.monotonic() < deadline, _listed(db)
            time.sleep(0.2)
        assert [row["id"] for row in _listed(db)] == [6, 5]
    finally:
        live.stop()
