// name: versions/create_text_parts
// params: $namespace, $snapshot, $lease_ms, $line, $rows
// returns: created (must equal the number of rows)
// Long text of the versions change $snapshot writes (and the change set itself), in parts.
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $rows AS row
CREATE (t:TgText {snapshot: $line, from: $snapshot, key: row.key, prop: row.prop,
                  part: row.part})
SET t.text = row.text
RETURN count(t) AS created
