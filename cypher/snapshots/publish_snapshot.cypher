// name: snapshots/publish_snapshot
// params: $namespace, $snapshot
// returns: published (false when a newer snapshot became current meanwhile: nothing changed)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: $snapshot})
SET ns.locked = true
WITH ns, s
WITH ns, s, ns.current < $snapshot AS published
SET s.complete = published,
    ns.current = CASE WHEN published THEN $snapshot ELSE ns.current END
REMOVE ns.locked
RETURN published
