// name: snapshots/claim_writer
// params: $namespace, $snapshot, $base, $lease_ms
// returns: claimed, current, holder, expired (holder 0: nobody held it)
// A change writes versions in place (it closes the live ones), so one writer at a time holds
// a namespace: the lease is taken only while $base is current and nobody holds it (`writer`
// 0 or absent). When the holder's lease ran out (`expired`, server time), the caller undoes
// the holder's writes and takes it over with `release_writer`. Every statement of a change
// renews the lease. (Never removed, only set: FalkorDB removes the wrong properties when one
// statement removes two of a node.)
MATCH (ns:TgNamespace {name: $namespace})
SET ns.locked = true
WITH ns, coalesce(ns.writer, 0) AS holder, coalesce(ns.writerUntil, 0) < timestamp() AS expired
WITH ns, holder, expired, holder = 0 AND ns.current = $base AS claimed
SET ns.writer = CASE WHEN claimed THEN $snapshot ELSE holder END,
    ns.writerUntil = CASE WHEN claimed THEN timestamp() + $lease_ms
                          ELSE coalesce(ns.writerUntil, 0) END
REMOVE ns.locked
RETURN claimed, ns.current AS current, holder, holder <> 0 AND expired AS expired
