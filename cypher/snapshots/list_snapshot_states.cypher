// name: snapshots/list_snapshot_states
// params: $namespace
// returns: id, complete, current, line, base, writer (every snapshot of the namespace, finished or not;
//   writer: the snapshot holding the namespace's writer lease, 0 when none)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot)
WHERE s.namespace = $namespace
RETURN s.id AS id, s.complete AS complete, ns.current AS current,
       coalesce(s.line, s.id) AS line, s.base AS base, coalesce(ns.writer, 0) AS writer
