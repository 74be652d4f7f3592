// name: schema/neo4j5/create_node_to_index
// params: none
// returns: nothing (idempotent; serves pruning closed versions)
CREATE INDEX tg_node_to IF NOT EXISTS
FOR (n:TgNode) ON (n.to)
