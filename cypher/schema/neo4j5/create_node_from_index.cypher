// name: schema/neo4j5/create_node_from_index
// params: none
// returns: nothing (idempotent; serves undoing a change that was not published)
CREATE INDEX tg_node_from IF NOT EXISTS
FOR (n:TgNode) ON (n.from)
