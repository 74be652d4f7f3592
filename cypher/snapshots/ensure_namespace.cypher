// name: snapshots/ensure_namespace
// params: $schema_version, $namespace
// returns: current (id of the namespace's current snapshot, 0 before the first write)
MERGE (m:TgMeta {schemaVersion: $schema_version})
ON CREATE SET m.lastSnapshot = 0
MERGE (ns:TgNamespace {name: $namespace})
ON CREATE SET ns.current = 0
RETURN ns.current AS current
