// name: schema/opencypher/create_snapshot_id_index
// params: none
// returns: nothing (fails when the index exists: run only when list_indexes lacks it)
CREATE INDEX FOR (s:TgSnapshot) ON (s.id)
