// name: snapshots/find_snapshot_by_request
// params: $namespace, $request_key
// returns: id (the published snapshot a write with this idempotency key made; no row if none)
MATCH (s:TgSnapshot {namespace: $namespace, requestKey: $request_key})
WHERE s.complete = true
RETURN s.id AS id
