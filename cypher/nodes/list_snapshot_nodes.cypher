// name: nodes/list_snapshot_nodes
// params: $snapshot
// returns: kind, key, props (every node of the snapshot, the World bookkeeping node included)
MATCH (n:TgNode {snapshot: $snapshot})
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
