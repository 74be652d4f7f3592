// name: versions/close_edges
// params: $namespace, $snapshot, $lease_ms, $line, $rows
// returns: closed (live edges of the kind between {source, target} with exactly the props {props},
//   which hold {arity} entries)
// template: edge_kind
// Bookkeeping props (`from`, `to`, the trust generation `gen`) are not compared. (The props are
// compared key by key over the edge's own keys, and counted: FalkorDB finds nothing when a
// WHERE iterates over a list taken from an UNWIND row.)
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $rows AS row
MATCH (a:TgNode {key: row.source})-[r:`{edge_kind}`]->(b:TgNode)
WHERE a.snapshot = $line AND a.to IS NULL AND b.key = row.target AND r.to IS NULL
  AND all(k IN keys(r) WHERE k IN ['from', 'to', 'gen'] OR r[k] = row.props[k])
  AND size([k IN keys(r) WHERE NOT k IN ['from', 'to', 'gen']]) = row.arity
SET r.to = $snapshot
RETURN count(r) AS closed
