// name: snapshots/list_change_chain
// params: $namespace, $low, $high
// returns: id, base, line (published snapshots with $low < id <= $high, oldest first)
// `changes_after`: each one written as a change names its base; a whole write names none.
MATCH (s:TgSnapshot)
WHERE s.namespace = $namespace AND s.complete = true AND s.id > $low AND s.id <= $high
RETURN s.id AS id, s.base AS base, coalesce(s.line, s.id) AS line
ORDER BY id
