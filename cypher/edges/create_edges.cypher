// name: edges/create_edges
// params: $snapshot, $rows
// returns: created (must equal the number of rows: both ends exist)
// template: edge_kind
UNWIND $rows AS row
MATCH (a:TgNode {snapshot: $snapshot, key: row.source})
MATCH (b:TgNode {snapshot: $snapshot, key: row.target})
CREATE (a)-[r:`{edge_kind}`]->(b)
SET r += row.props
RETURN count(r) AS created
