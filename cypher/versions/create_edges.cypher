// name: versions/create_edges
// params: $namespace, $snapshot, $lease_ms, $line, $rows
// returns: created (must equal the number of rows: both ends have a live version)
// template: edge_kind
// Edges valid from change $snapshot on, between the live versions (`to` open) of their ends.
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $rows AS row
MATCH (a:TgNode {key: row.source})
WHERE a.snapshot = $line AND a.to IS NULL
MATCH (b:TgNode {key: row.target})
WHERE b.snapshot = $line AND b.to IS NULL
CREATE (a)-[r:`{edge_kind}`]->(b)
SET r += row.props, r.from = $snapshot
RETURN count(r) AS created
