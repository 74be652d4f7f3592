// name: snapshots/publish_snapshot
// params: $namespace, $snapshot, $base, $nodes
// returns: published, current (false and the current id when a newer snapshot is current, or
//   when $base >= 0 and the current snapshot is not $base: nothing changed; 0 = none yet)
// Compare-and-swap, atomic on the server: the namespace node is locked first (`SET`), so two
// writers publish one after the other and the second sees the first's pointer. $base = -1
// publishes over any older snapshot; $nodes is how many nodes the snapshot holds (paged reads).
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: $snapshot})
SET ns.locked = true
WITH ns, s
WITH ns, s, ns.current AS before,
     ns.current < $snapshot AND ($base < 0 OR ns.current = $base) AS published
SET s.complete = published,
    s.nodeCount = $nodes,
    ns.current = CASE WHEN published THEN $snapshot ELSE ns.current END
REMOVE ns.locked
RETURN published, before AS current
