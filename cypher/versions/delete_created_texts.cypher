// name: versions/delete_created_texts
// params: $line, $snapshot
// returns: deleted (text parts change $snapshot wrote: of its versions and of its change set)
MATCH (t:TgText {snapshot: $line})
WHERE t.from = $snapshot
DELETE t
RETURN count(*) AS deleted
