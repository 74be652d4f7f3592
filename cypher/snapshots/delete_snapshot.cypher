// name: snapshots/delete_snapshot
// params: $snapshot
// returns: deleted (1 when the snapshot node existed)
MATCH (s:TgSnapshot {id: $snapshot})
DELETE s
RETURN count(*) AS deleted
