// name: trust/list_trust_edges
// params: $snapshot
// returns: kind, source, target, props (the live generation of derived edges, any order)
MATCH (s:TgSnapshot {id: $snapshot})
MATCH (a:TgNode:Tenant {snapshot: coalesce(s.line, s.id)})-[r]->(b:Tenant)
WHERE r.gen = s.trustGen
  AND (a.from IS NULL OR a.from <= s.id) AND (a.to IS NULL OR a.to > s.id)
  AND (r.from IS NULL OR r.from <= s.id) AND (r.to IS NULL OR r.to > s.id)
RETURN type(r) AS kind, a.ref AS source, b.ref AS target, properties(r) AS props
