// name: prune/delete_closed_edges
// params: $line, $before, $limit
// returns: deleted (edges of line $line closed at or before $before between versions that stay;
//   repeat until 0). Reads every edge of the line.
MATCH (a:TgNode {snapshot: $line})-[r]->()
WHERE r.to <= $before
WITH r LIMIT $limit
DELETE r
RETURN count(*) AS deleted
