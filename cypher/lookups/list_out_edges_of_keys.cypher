// name: lookups/list_out_edges_of_keys
// params: $snapshot, $keys, $kinds
// returns: source, kind, target, props (edges of the given kinds leaving the nodes with these keys)
UNWIND $keys AS k
MATCH (a:TgNode {key: k})-[r]->(b:TgNode)
WHERE a.snapshot = $snapshot AND type(r) IN $kinds
RETURN a.key AS source, type(r) AS kind, b.key AS target, properties(r) AS props
