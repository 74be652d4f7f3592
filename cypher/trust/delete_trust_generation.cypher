// name: trust/delete_trust_generation
// params: $line, $gen
// returns: deleted (live derived edges of generation $gen, e.g. of a replace that failed)
MATCH (a:TgNode:Tenant {snapshot: $line})-[r]->(:Tenant)
WHERE a.to IS NULL AND r.gen = $gen AND r.to IS NULL
DELETE r
RETURN count(*) AS deleted
