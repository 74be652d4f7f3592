// name: nodes/list_text_parts
// params: $snapshot, $keys
// returns: key, prop, part, text (every text part of the given nodes, any order)
MATCH (t:TgText {snapshot: $snapshot})
WHERE t.key IN $keys
RETURN t.key AS key, t.prop AS prop, t.part AS part, t.text AS text
