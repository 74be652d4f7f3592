// name: prune/delete_closed_texts
// params: $line, $before, $limit
// returns: deleted (text parts of versions of line $line closed at or before $before; repeat until 0)
// Pruning: no snapshot kept (all of them are $before or newer) can see such a version.
MATCH (n:TgNode)
WHERE n.to <= $before AND n.snapshot = $line
MATCH (t:TgText {key: n.key})
WHERE t.snapshot = $line AND coalesce(t.from, t.snapshot) = coalesce(n.from, n.snapshot)
WITH t LIMIT $limit
DELETE t
RETURN count(*) AS deleted
