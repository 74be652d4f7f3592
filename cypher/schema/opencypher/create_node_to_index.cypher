// name: schema/opencypher/create_node_to_index
// params: none
// returns: nothing (fails when the index exists: run only when list_indexes lacks it)
CREATE INDEX FOR (n:TgNode) ON (n.to)
