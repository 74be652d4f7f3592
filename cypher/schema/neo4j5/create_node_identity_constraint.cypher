// name: schema/neo4j5/create_node_identity_constraint
// params: none
// returns: nothing (idempotent; also backs node lookups by snapshot and key)
CREATE CONSTRAINT tg_node_identity IF NOT EXISTS
FOR (n:TgNode) REQUIRE (n.snapshot, n.key) IS UNIQUE
