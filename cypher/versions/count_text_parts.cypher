// name: versions/count_text_parts
// params: $line, $snapshot, $rows
// returns: found (how many of the text parts {key, prop, part} of change $snapshot exist)
UNWIND $rows AS row
MATCH (t:TgText {snapshot: $line, key: row.key, prop: row.prop, part: row.part})
WHERE t.from = $snapshot
RETURN count(t) AS found
