// name: snapshots/delete_snapshot_texts
// params: $snapshot, $limit
// returns: deleted (how many text parts went; repeat until 0)
MATCH (t:TgText {snapshot: $snapshot})
WITH t LIMIT $limit
DELETE t
RETURN count(*) AS deleted
