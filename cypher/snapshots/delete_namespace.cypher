// name: snapshots/delete_namespace
// params: $namespace
// returns: deleted (1 when the namespace node existed)
MATCH (ns:TgNamespace {name: $namespace})
DELETE ns
RETURN count(*) AS deleted
