// name: schema/neo4j5/create_snapshot_id_constraint
// params: none
// returns: nothing (idempotent)
CREATE CONSTRAINT tg_snapshot_id IF NOT EXISTS
FOR (s:TgSnapshot) REQUIRE s.id IS UNIQUE
