// name: nodes/list_snapshot_nodes_page
// params: $snapshot, $low, $high
// returns: kind, key, props (the versions snapshot $snapshot sees whose `seq` is in [$low, $high))
// One bounded read per page: the range on `seq` alone is served by its index (a line's versions
// are numbered line id * 2^32 + n), so a page costs the same at any offset, and a failed page is
// read again from the same range. Versions of other snapshots of the line are skipped.
MATCH (n:TgNode)
WHERE n.seq >= $low AND n.seq < $high
  AND (n.from IS NULL OR n.from <= $snapshot) AND (n.to IS NULL OR n.to > $snapshot)
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
