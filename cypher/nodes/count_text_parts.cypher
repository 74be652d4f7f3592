// name: nodes/count_text_parts
// params: $snapshot, $rows
// returns: found (how many of the text parts {key, prop, part} exist: did a failed batch land?)
UNWIND $rows AS row
MATCH (t:TgText {snapshot: $snapshot, key: row.key, prop: row.prop, part: row.part})
RETURN count(t) AS found
