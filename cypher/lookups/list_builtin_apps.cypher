// name: lookups/list_builtin_apps
// params: $snapshot, $line, $tenant_key, $builtin
// returns: kind, key, props (the tenant's apps that are the first-party app $builtin)
MATCH (t:TgNode {key: $tenant_key})
WHERE t.snapshot = $line
  AND (t.from IS NULL OR t.from <= $snapshot) AND (t.to IS NULL OR t.to > $snapshot)
MATCH (n:App)-[r:HOMED_IN]->(t)
WHERE n.builtin = $builtin
  AND (r.from IS NULL OR r.from <= $snapshot) AND (r.to IS NULL OR r.to > $snapshot)
RETURN n.kind AS kind, n.key AS key, properties(n) AS props
