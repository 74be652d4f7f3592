// name: snapshots/publish_snapshot
// params: $namespace, $snapshot, $base, $nodes, $seq_end, $request_key, $leased
// returns: published, current, replayed (published false and the current id when a newer
//   snapshot is current, when $base >= 0 and the current snapshot is not $base, when $leased
//   and this write no longer holds the namespace, or when a published snapshot already
//   carries $request_key (`replayed`, its id): nothing changed; 0 = none yet)
// Compare-and-swap, atomic on the server: the namespace node is locked first (`SET`), so two
// writers publish one after the other and the second sees the first's pointer and its
// idempotency key. $base = -1 publishes over any older snapshot; $nodes is how many nodes the
// snapshot holds and $seq_end the end of its line's `seq` numbers (paged reads). A change
// ($leased) releases the namespace's writer lease when it publishes.
MATCH (ns:TgNamespace {name: $namespace})
MATCH (s:TgSnapshot {id: $snapshot})
SET ns.locked = true
WITH ns, s
OPTIONAL MATCH (done:TgSnapshot {namespace: $namespace, requestKey: $request_key})
WHERE done.complete = true
WITH ns, s, min(done.id) AS replayed
WITH ns, s, replayed, ns.current AS before,
     replayed IS NULL AND ns.current < $snapshot AND ($base < 0 OR ns.current = $base)
     AND (NOT $leased OR ns.writer = $snapshot) AS published
SET s.complete = published,
    s.nodeCount = $nodes,
    s.seqEnd = $seq_end,
    ns.current = CASE WHEN published THEN $snapshot ELSE ns.current END,
    ns.writer = CASE WHEN published AND $leased THEN 0 ELSE coalesce(ns.writer, 0) END
REMOVE ns.locked
RETURN published, before AS current, replayed
