// name: snapshots/allocate_snapshot
// params: $schema_version, $namespace, $created_at, $source, $title, $counts, $request_key, $line, $base, $gap, $trust_gen
// returns: id (a new snapshot id, never reused; the snapshot stays incomplete until published)
// $line, $base: the line and the snapshot a change is written on (null for a whole write,
// which starts a line of its own); $gap: the line's order-key scale; $trust_gen: the live
// generation of derived edges (a change keeps its base's).
MATCH (m:TgMeta {schemaVersion: $schema_version})
SET m.locked = true
WITH m
SET m.lastSnapshot = m.lastSnapshot + 1
REMOVE m.locked
CREATE (s:TgSnapshot {id: m.lastSnapshot, namespace: $namespace, complete: false,
                      createdAt: $created_at, source: $source, counts: $counts,
                      trustGen: $trust_gen})
SET s.title = $title, s.requestKey = $request_key, s.line = $line, s.base = $base,
    s.gap = $gap
RETURN s.id AS id
