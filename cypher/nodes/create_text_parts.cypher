// name: nodes/create_text_parts
// params: $snapshot, $rows
// returns: created (must equal the number of rows)
// Long JSON text of a node, in parts, on servers that cannot send one large record (FalkorDB
// stalls on a Bolt record over 64 KiB): the node lists the props kept here in `textParts`.
UNWIND $rows AS row
CREATE (t:TgText {snapshot: $snapshot, key: row.key, prop: row.prop, part: row.part})
SET t.text = row.text
RETURN count(t) AS created
