// name: nodes/list_text_parts
// params: $snapshot, $versions
// returns: key, prop, part, text (every text part of the given versions {key, from}, any order)
// A version's parts carry its line (`snapshot`) and, unless it starts the line, its `from`.
UNWIND $versions AS v
MATCH (t:TgText {key: v.key})
WHERE t.snapshot = $snapshot AND coalesce(t.from, t.snapshot) = v.from
RETURN t.key AS key, t.prop AS prop, t.part AS part, t.text AS text
