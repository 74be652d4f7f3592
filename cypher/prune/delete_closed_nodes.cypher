// name: prune/delete_closed_nodes
// params: $line, $before, $limit
// returns: deleted (versions of line $line closed at or before $before, with their edges; repeat until 0)
MATCH (n:TgNode)
WHERE n.to <= $before AND n.snapshot = $line
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
