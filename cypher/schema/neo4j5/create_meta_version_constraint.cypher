// name: schema/neo4j5/create_meta_version_constraint
// params: none
// returns: nothing (idempotent)
CREATE CONSTRAINT tg_meta_version IF NOT EXISTS
FOR (m:TgMeta) REQUIRE m.schemaVersion IS UNIQUE
