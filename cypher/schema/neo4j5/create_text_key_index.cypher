// name: schema/neo4j5/create_text_key_index
// params: none
// returns: nothing (idempotent; serves reading a version's text parts)
CREATE INDEX tg_text_key IF NOT EXISTS
FOR (t:TgText) ON (t.key)
