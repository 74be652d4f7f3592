// name: lookups/list_homed_nodes
// params: $snapshot, $line, $tenant_key
// returns: kind, key, props (the nodes of one kind homed in the tenant)
// template: node_kind
MATCH (t:TgNode {key: $tenant_key})
WHERE t.snapshot = $line
  AND (t.from IS NULL OR t.from <= $snapshot) AND (t.to IS NULL OR t.to > $snapshot)
MATCH (n:TgNode:`{node_kind}`)-[r:HOMED_IN]->(t)
WHERE (r.from IS NULL OR r.from <= $snapshot) AND (r.to IS NULL OR r.to > $snapshot)
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
