// name: lookups/list_builtin_apps
// params: $snapshot, $tenant_key, $builtin
// returns: kind, key, props (the tenant's apps that are the first-party app $builtin)
MATCH (t:TgNode {key: $tenant_key})
WHERE t.snapshot = $snapshot
MATCH (n:App)-[:HOMED_IN]->(t)
WHERE n.builtin = $builtin
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
