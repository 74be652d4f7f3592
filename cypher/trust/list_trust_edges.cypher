// name: trust/list_trust_edges
// params: $snapshot
// returns: kind, source, target, props (the live generation of derived edges, any order)
MATCH (s:TgSnapshot {id: $snapshot})
MATCH (a:TgNode:Tenant {snapshot: $snapshot})-[r]->(b:Tenant)
WHERE r.gen = s.trustGen
RETURN type(r) AS kind, a.ref AS source, b.ref AS target, properties(r) AS props
