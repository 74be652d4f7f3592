// name: versions/reopen_nodes
// params: $line, $snapshot, $limit
// returns: reopened (versions change $snapshot closed, live again; repeat until 0)
MATCH (n:TgNode)
WHERE n.to = $snapshot AND n.snapshot = $line
WITH n LIMIT $limit
REMOVE n.to
RETURN count(*) AS reopened
