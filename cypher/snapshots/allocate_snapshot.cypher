// name: snapshots/allocate_snapshot
// params: $schema_version, $namespace, $created_at, $source, $title, $counts, $request_key
// returns: id (a new snapshot id, never reused; the snapshot stays incomplete until published)
MATCH (m:TgMeta {schemaVersion: $schema_version})
SET m.locked = true
WITH m
SET m.lastSnapshot = m.lastSnapshot + 1
REMOVE m.locked
CREATE (s:TgSnapshot {id: m.lastSnapshot, namespace: $namespace, complete: false,
                      createdAt: $created_at, source: $source, counts: $counts, trustGen: 0})
SET s.title = $title, s.requestKey = $request_key
RETURN s.id AS id
