// name: snapshots/claim_writer
// params: $namespace, $snapshot, $base, $lease_ms
// returns: claimed, current, holder, expired
// A change writes versions in place (it closes the live ones), so one writer at a time holds
// a namespace: the lease is taken only while $base is current and nobody holds it. When the
// holder's lease ran out (`expired`, server time), the caller undoes the holder's writes and
// takes it over with `release_writer`. Every statement of a change renews the lease.
MATCH (ns:TgNamespace {name: $namespace})
SET ns.locked = true
WITH ns, ns.writer AS holder, coalesce(ns.writerUntil, 0) < timestamp() AS expired
WITH ns, holder, expired, holder IS NULL AND ns.current = $base AS claimed
SET ns.writer = CASE WHEN claimed THEN $snapshot ELSE ns.writer END,
    ns.writerUntil = CASE WHEN claimed THEN timestamp() + $lease_ms ELSE ns.writerUntil END
REMOVE ns.locked
RETURN claimed, ns.current AS current, holder, holder IS NOT NULL AND expired AS expired
