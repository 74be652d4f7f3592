// name: lookups/get_nodes_by_keys
// params: $snapshot, $keys
// returns: kind, key, props (the snapshot's nodes with these keys; absent keys give no row)
// Partial reads (graphmodel/stores/neighbourhood.py): one lookup of the key index per key.
UNWIND $keys AS k
MATCH (n:TgNode {key: k})
WHERE n.snapshot = $snapshot
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
