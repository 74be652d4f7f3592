// name: nodes/get_node
// params: $namespace, $key
// returns: kind, props, snapshot, line, gap (no row when the current snapshot has no such node)
// The version of node `key` the current snapshot sees: in its line (`snapshot` = the whole
// write the line starts at), from at most the snapshot, to (exclusive) after it or open.
// `gap` is the line's order-key scale (1 for snapshots written before order keys).
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: ns.current})
MATCH (n:TgNode {key: $key})
WHERE n.snapshot = coalesce(s.line, s.id)
  AND (n.from IS NULL OR n.from <= s.id) AND (n.to IS NULL OR n.to > s.id)
RETURN n.kind AS kind, properties(n) AS props, s.id AS snapshot,
       coalesce(s.line, s.id) AS line, coalesce(s.gap, 1) AS gap
