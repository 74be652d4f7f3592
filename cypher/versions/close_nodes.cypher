// name: versions/close_nodes
// params: $namespace, $snapshot, $lease_ms, $line, $keys
// returns: closed (live versions of these keys, now valid only before $snapshot)
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $keys AS k
MATCH (n:TgNode {key: k})
WHERE n.snapshot = $line AND n.to IS NULL
SET n.to = $snapshot
RETURN count(n) AS closed
