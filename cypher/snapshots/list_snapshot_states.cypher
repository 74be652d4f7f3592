// name: snapshots/list_snapshot_states
// params: $namespace
// returns: id, complete, current (every snapshot of the namespace, finished or not)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot)
WHERE s.namespace = $namespace
RETURN s.id AS id, s.complete AS complete, ns.current AS current
