// name: schema/opencypher/create_text_key_index
// params: none
// returns: nothing (fails when the index exists: run only when list_indexes lacks it)
CREATE INDEX FOR (t:TgText) ON (t.key)
