// name: nodes/list_nodes
// params: $namespace, $kind
// returns: key, props, snapshot, line, gap (every node of the kind in the current snapshot, any order)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: ns.current})
MATCH (n:TgNode {snapshot: coalesce(s.line, s.id), kind: $kind})
WHERE (n.from IS NULL OR n.from <= s.id) AND (n.to IS NULL OR n.to > s.id)
RETURN n.key AS key, properties(n) AS props, s.id AS snapshot,
       coalesce(s.line, s.id) AS line, coalesce(s.gap, 1) AS gap
