// name: edges/list_in_edges
// params: $namespace, $key, $kinds
// returns: kind (of the node), edges (list of {kind, other, props}; no row without the node)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: ns.current})
MATCH (n:TgNode {snapshot: s.id, key: $key})
OPTIONAL MATCH (n)<-[r]-(m:TgNode)
WHERE type(r) IN $kinds AND (r.gen IS NULL OR r.gen = s.trustGen)
RETURN n.kind AS kind,
       collect(CASE WHEN r IS NULL THEN null
               ELSE {kind: type(r), other: m.key, props: properties(r)} END) AS edges
