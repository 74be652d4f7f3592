// name: schema/neo4j5/create_node_kind_index
// params: none
// returns: nothing (idempotent; serves nodes(kind) and whole-snapshot reads)
CREATE INDEX tg_node_kind IF NOT EXISTS
FOR (n:TgNode) ON (n.snapshot, n.kind)
