"""CSV exports, read back with `csv.DictReader`: the header is the documented column tuple and
every row carries the values it was built from."""

from __future__ import annotations

import csv
import io

from graphmodel.export import csv_table
from tests.unit.export import samples


def _rows(text: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == columns
    return list(reader)


def test_trust_rows_round_trip():
    tenants = samples.tenants()
    rows = _rows(csv_table.render_trust(samples.trust_edges(), tenants), csv_table.TRUST_COLUMNS)
    distinct = samples.distinct_trust_edges()
    assert len(rows) == len(distinct)
    by_key = {(r["kind"], r["source"], r["target"]): r for r in rows}
    cloud = {t.name: t.cloud.value for t in tenants}
    for e in distinct:
        r = by_key[e.key]
        assert (r["rule"], r["policy"], r["scope"], r["source_url"]) == (
            e.rule,
            e.policy,
            e.scope,
            e.source_url,
        )
        assert (r["source_cloud"], r["target_cloud"]) == (cloud[e.source], cloud[e.target])


def test_verdict_rows_list_every_hop_then_every_reason():
    v = samples.allow_verdict()
    rows = _rows(csv_table.render_paths(v), csv_table.PATHS_COLUMNS)
    hops = [r for r in rows if r["record"] == "hop"]
    assert len(hops) == sum(len(p.hops) for p in v.paths)
    for r in hops:
        hop = v.paths[int(r["path"]) - 1].hops[int(r["hop"]) - 1]
        assert (r["source"], r["target"], r["edge_kind"], r["rule"]) == (
            hop.source,
            hop.target,
            hop.edge.value,
            hop.rule,
        )
    assert [r["code"] for r in rows if r["record"] == "reason"] == list(v.codes)


def test_denial_rows_name_the_blocking_gate_and_its_owner():
    v = samples.deny_verdict()
    (row,) = _rows(csv_table.render_paths(v), csv_table.PATHS_COLUMNS)
    reason = v.reasons[0]
    assert (row["record"], row["decision"], row["code"], row["rule"]) == (
        "reason",
        "deny",
        reason.code.value,
        reason.rule,
    )
    assert (row["tenant"], row["policy"], row["side"]) == (reason.tenant, reason.policy, "resource")
    assert row["message"] == reason.message  # quotes and commas survive


def test_who_rows_one_per_principal():
    results = samples.who_results()
    rows = _rows(csv_table.render_who("contoso/payroll", results), csv_table.WHO_COLUMNS)
    assert [r["principal"] for r in rows] == [r.principal for r in results]
    for r, (_, v, _kind, _obj) in zip(rows, results, strict=True):
        assert r["decision"] == v.decision.value
        assert int(r["path_count"]) == len(v.paths)
        assert r["first_path"].split(" -> ") == list(v.paths[0].nodes)
        assert r["reason_codes"].split(";") == list(v.codes)
    # what the principal is, when the caller says (bob: a guest, an outsider; dan: not said)
    kinds = [(r["principal_kind"], r["outsider"]) for r in rows]
    assert kinds == [("b2b_guest", "True"), ("", "")]
