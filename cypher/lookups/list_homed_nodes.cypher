// name: lookups/list_homed_nodes
// params: $snapshot, $tenant_key
// returns: kind, key, props (the nodes of one kind homed in the tenant)
// template: node_kind
MATCH (t:TgNode {key: $tenant_key})
WHERE t.snapshot = $snapshot
MATCH (n:TgNode:`{node_kind}`)-[:HOMED_IN]->(t)
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
