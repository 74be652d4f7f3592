// name: trust/delete_trust_generation
// params: $snapshot, $gen
// returns: deleted (derived edges of generation $gen, e.g. of a replace that failed)
MATCH (a:TgNode:Tenant {snapshot: $snapshot})-[r]->(:Tenant)
WHERE r.gen = $gen
DELETE r
RETURN count(*) AS deleted
