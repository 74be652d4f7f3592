// name: edges/count_edges
// params: $snapshot, $rows
// returns: found (edges of the kind between the {source, target} pairs: did a failed batch land?)
// template: edge_kind
UNWIND $rows AS row
MATCH (a:TgNode {snapshot: $snapshot, key: row.source})-[r:`{edge_kind}`]->(b:TgNode)
WHERE b.snapshot = $snapshot AND b.key = row.target
RETURN count(r) AS found
