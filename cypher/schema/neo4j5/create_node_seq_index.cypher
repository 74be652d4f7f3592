// name: schema/neo4j5/create_node_seq_index
// params: none
// returns: nothing (idempotent; serves the paged whole-snapshot read by `seq` range)
CREATE INDEX tg_node_seq IF NOT EXISTS
FOR (n:TgNode) ON (n.seq)
