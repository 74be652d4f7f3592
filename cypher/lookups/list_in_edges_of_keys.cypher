// name: lookups/list_in_edges_of_keys
// params: $snapshot, $line, $keys, $kinds
// returns: source, kind, target, props (edges of the given kinds entering the nodes with these keys)
UNWIND $keys AS k
MATCH (a:TgNode)-[r]->(b:TgNode {key: k})
WHERE b.snapshot = $line AND type(r) IN $kinds
  AND (b.from IS NULL OR b.from <= $snapshot) AND (b.to IS NULL OR b.to > $snapshot)
  AND (r.from IS NULL OR r.from <= $snapshot) AND (r.to IS NULL OR r.to > $snapshot)
RETURN a.key AS source, type(r) AS kind, b.key AS target, properties(r) AS props
