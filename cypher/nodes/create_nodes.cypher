// name: nodes/create_nodes
// params: $snapshot, $kind, $rows
// returns: created (must equal the number of rows)
// template: node_kind
// `seq` numbers the snapshot's nodes (snapshot id * 2^32 + position) for paged reads.
UNWIND $rows AS row
CREATE (n:TgNode:`{node_kind}` {snapshot: $snapshot, kind: $kind, key: row.key, seq: row.seq})
SET n += row.props
RETURN count(n) AS created
