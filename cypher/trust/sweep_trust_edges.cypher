// name: trust/sweep_trust_edges
// params: $line, $snapshot, $gen
// returns: swept (live derived edges of every generation but $gen, now closed at $snapshot)
// Closed, not deleted: older snapshots of the line still read them with their own generation.
MATCH (a:TgNode:Tenant {snapshot: $line})-[r]->(:Tenant)
WHERE a.to IS NULL AND r.gen IS NOT NULL AND r.gen <> $gen AND r.to IS NULL
SET r.to = $snapshot
RETURN count(*) AS swept
