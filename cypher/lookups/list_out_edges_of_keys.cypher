// name: lookups/list_out_edges_of_keys
// params: $snapshot, $line, $keys, $kinds
// returns: source, kind, target, props (edges of the given kinds leaving the nodes with these keys)
UNWIND $keys AS k
MATCH (a:TgNode {key: k})-[r]->(b:TgNode)
WHERE a.snapshot = $line AND type(r) IN $kinds
  AND (a.from IS NULL OR a.from <= $snapshot) AND (a.to IS NULL OR a.to > $snapshot)
  AND (r.from IS NULL OR r.from <= $snapshot) AND (r.to IS NULL OR r.to > $snapshot)
RETURN a.key AS source, type(r) AS kind, b.key AS target, properties(r) AS props
