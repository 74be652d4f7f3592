// name: versions/list_moving_edges
// params: $line, $snapshot, $keys
// returns: kind, out, into (the kinds of the live edges leaving / entering the versions of these
//   keys that $snapshot closed: what `move_out_edges` / `move_in_edges` must move)
UNWIND $keys AS k
MATCH (n:TgNode {key: k})-[r]-()
WHERE n.snapshot = $line AND n.to = $snapshot AND r.to IS NULL
RETURN DISTINCT type(r) AS kind, startNode(r) = n AS out, endNode(r) = n AS into
