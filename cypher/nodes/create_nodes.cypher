// name: nodes/create_nodes
// params: $snapshot, $kind, $rows
// returns: created (must equal the number of rows)
// template: node_kind
UNWIND $rows AS row
CREATE (n:TgNode:`{node_kind}` {snapshot: $snapshot, kind: $kind, key: row.key})
SET n += row.props
RETURN count(n) AS created
