// name: versions/create_nodes
// params: $namespace, $snapshot, $lease_ms, $line, $kind, $rows
// returns: created (must equal the number of rows; 0 when this write no longer holds the namespace)
// template: node_kind
// New versions written by change $snapshot in line $line. Every statement of a change first
// checks that the change still holds the namespace's writer lease (and renews it), so a writer
// that lost it (its lease ran out and another took over) writes nothing more.
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $rows AS row
CREATE (n:TgNode:`{node_kind}` {snapshot: $line, from: $snapshot, kind: $kind, key: row.key,
                                 seq: row.seq})
SET n += row.props
RETURN count(n) AS created
