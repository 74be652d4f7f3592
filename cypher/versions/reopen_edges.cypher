// name: versions/reopen_edges
// params: $line, $snapshot
// returns: reopened (edges change $snapshot closed, live again; reads every edge of the line)
MATCH (a:TgNode {snapshot: $line})-[r]->()
WHERE r.to = $snapshot
REMOVE r.to
RETURN count(*) AS reopened
