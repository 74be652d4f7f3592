// name: prune/delete_texts_by_key
// params: $keys
// returns: deleted (the text parts with these keys: the change sets of pruned snapshots)
UNWIND $keys AS k
MATCH (t:TgText {key: k})
DELETE t
RETURN count(*) AS deleted
