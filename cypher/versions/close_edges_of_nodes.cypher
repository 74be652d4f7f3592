// name: versions/close_edges_of_nodes
// params: $namespace, $snapshot, $lease_ms, $line, $keys
// returns: closed (live edges of the versions of these keys that $snapshot closed: removed nodes)
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $keys AS k
MATCH (n:TgNode {key: k})-[r]-()
WHERE n.snapshot = $line AND n.to = $snapshot AND r.to IS NULL
SET r.to = $snapshot
RETURN count(r) AS closed
