// name: edges/list_in_edges
// params: $namespace, $key, $kinds
// returns: kind (of the node), edges (list of {kind, other, props}; no row without the node)
// Edges valid in the current snapshot (their own range; an edge only joins versions valid
// while it is) and, for derived trust edges, of the snapshot's live generation.
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: ns.current})
MATCH (n:TgNode {key: $key})
WHERE n.snapshot = coalesce(s.line, s.id)
  AND (n.from IS NULL OR n.from <= s.id) AND (n.to IS NULL OR n.to > s.id)
OPTIONAL MATCH (n)<-[r]-(m:TgNode)
WHERE type(r) IN $kinds AND (r.gen IS NULL OR r.gen = s.trustGen)
  AND (r.from IS NULL OR r.from <= s.id) AND (r.to IS NULL OR r.to > s.id)
RETURN n.kind AS kind,
       collect(CASE WHEN r IS NULL THEN null
               ELSE {kind: type(r), other: m.key, props: properties(r)} END) AS edges
