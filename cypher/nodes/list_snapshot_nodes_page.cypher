// name: nodes/list_snapshot_nodes_page
// params: $low, $high
// returns: kind, key, props (the nodes whose `seq` is in [$low, $high): one page of a snapshot)
// One bounded read per page: the range on `seq` alone is served by its index, so a page
// costs the same at any offset, and a failed page is read again from the same range.
MATCH (n:TgNode)
WHERE n.seq >= $low AND n.seq < $high
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
