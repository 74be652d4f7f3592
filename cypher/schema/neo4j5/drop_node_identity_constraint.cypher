// name: schema/neo4j5/drop_node_identity_constraint
// params: none
// returns: nothing (idempotent)
// Schema 1 kept one node per (snapshot, key); a line now holds several versions of a key.
DROP CONSTRAINT tg_node_identity IF EXISTS
