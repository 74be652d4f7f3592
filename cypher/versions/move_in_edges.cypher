// name: versions/move_in_edges
// params: $namespace, $snapshot, $lease_ms, $line, $keys
// returns: moved (live edges of the kind entering the closed version of each key, now entering its new one)
// template: edge_kind
// A node with a new version keeps its edges: each live one is made again from the new version
// (valid from $snapshot on, same props) and the old one closes. An edge between two moved
// nodes moves twice; its middle copy is left with an empty range [$snapshot, $snapshot).
MATCH (ns:TgNamespace {name: $namespace})
WHERE ns.writer = $snapshot
SET ns.writerUntil = timestamp() + $lease_ms
WITH ns
UNWIND $keys AS k
MATCH (old:TgNode {key: k})<-[r:`{edge_kind}`]-(m:TgNode)
WHERE old.snapshot = $line AND old.to = $snapshot AND r.to IS NULL
MATCH (new:TgNode {key: k})
WHERE new.snapshot = $line AND new.from = $snapshot
CREATE (new)<-[moved:`{edge_kind}`]-(m)
SET moved += properties(r), moved.from = $snapshot, r.to = $snapshot
RETURN count(moved) AS moved
