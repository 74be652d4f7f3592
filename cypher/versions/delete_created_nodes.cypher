// name: versions/delete_created_nodes
// params: $line, $snapshot, $limit
// returns: deleted (versions change $snapshot created, with their edges; repeat until 0)
// Undoing a change that was not published (it failed, or its writer died holding the lease).
MATCH (n:TgNode)
WHERE n.from = $snapshot AND n.snapshot = $line
WITH n LIMIT $limit
DETACH DELETE n
RETURN count(*) AS deleted
