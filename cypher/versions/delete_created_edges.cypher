// name: versions/delete_created_edges
// params: $line, $snapshot
// returns: deleted (edges change $snapshot made between versions it did not create)
// Reads every edge of the line: only a change that was not published is undone this way.
MATCH (a:TgNode {snapshot: $line})-[r]->()
WHERE r.from = $snapshot
DELETE r
RETURN count(*) AS deleted
