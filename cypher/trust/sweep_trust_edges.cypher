// name: trust/sweep_trust_edges
// params: $snapshot, $gen
// returns: deleted (derived edges of every generation but the live one $gen)
MATCH (a:TgNode:Tenant {snapshot: $snapshot})-[r]->(:Tenant)
WHERE r.gen IS NOT NULL AND r.gen <> $gen
DELETE r
RETURN count(*) AS deleted
