// name: versions/count_edges
// params: $line, $snapshot, $rows
// returns: found (edges of the kind change $snapshot made between the {source, target} pairs)
// template: edge_kind
UNWIND $rows AS row
MATCH (a:TgNode {key: row.source})-[r:`{edge_kind}`]->(b:TgNode)
WHERE a.snapshot = $line AND a.to IS NULL AND b.key = row.target AND r.from = $snapshot
RETURN count(r) AS found
