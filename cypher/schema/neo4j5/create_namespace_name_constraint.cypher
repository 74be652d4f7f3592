// name: schema/neo4j5/create_namespace_name_constraint
// params: none
// returns: nothing (idempotent)
CREATE CONSTRAINT tg_namespace_name IF NOT EXISTS
FOR (ns:TgNamespace) REQUIRE ns.name IS UNIQUE
