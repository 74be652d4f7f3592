// name: snapshots/delete_snapshot_nodes
// params: $snapshot, $limit
// returns: deleted (how many nodes, with their edges, went; repeat until 0)
MATCH (n:TgNode {snapshot: $snapshot})
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
