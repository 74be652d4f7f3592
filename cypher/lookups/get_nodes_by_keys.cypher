// name: lookups/get_nodes_by_keys
// params: $snapshot, $line, $keys
// returns: kind, key, props (the versions snapshot $snapshot sees of these keys; absent keys give no row)
// Partial reads (graphmodel/stores/neighbourhood.py): one lookup of the key index per key;
// $line is the snapshot's line (the whole write its versions descend from).
UNWIND $keys AS k
MATCH (n:TgNode {key: k})
WHERE n.snapshot = $line
  AND (n.from IS NULL OR n.from <= $snapshot) AND (n.to IS NULL OR n.to > $snapshot)
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
