// name: lookups/list_in_edges_of_keys
// params: $snapshot, $keys, $kinds
// returns: source, kind, target, props (edges of the given kinds entering the nodes with these keys)
UNWIND $keys AS k
MATCH (a:TgNode)-[r]->(b:TgNode {key: k})
WHERE b.snapshot = $snapshot AND type(r) IN $kinds
RETURN a.key AS source, type(r) AS kind, b.key AS target, properties(r) AS props
