// name: schema/opencypher/create_namespace_name_index
// params: none
// returns: nothing (fails when the index exists: run only when list_indexes lacks it)
CREATE INDEX FOR (ns:TgNamespace) ON (ns.name)
