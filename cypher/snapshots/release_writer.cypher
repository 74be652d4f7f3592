// name: snapshots/release_writer
// params: $namespace, $holder, $expired_only
// returns: released (1 when $holder held the namespace and let go of it)
// A writer releases its own lease after undoing its writes; a caller taking over a dead
// writer's lease ($expired_only) releases it only while it is still that writer's and run out.
MATCH (ns:TgNamespace {name: $namespace})
SET ns.locked = true
WITH ns, ns.writer = $holder AND (NOT $expired_only OR ns.writerUntil < timestamp()) AS mine
SET ns.writer = CASE WHEN mine THEN 0 ELSE ns.writer END
REMOVE ns.locked
RETURN CASE WHEN mine THEN 1 ELSE 0 END AS released
