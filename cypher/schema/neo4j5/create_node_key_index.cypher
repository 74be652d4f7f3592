// name: schema/neo4j5/create_node_key_index
// params: none
// returns: nothing (idempotent; serves lookups of a key's versions)
CREATE INDEX tg_node_key IF NOT EXISTS
FOR (n:TgNode) ON (n.key)
