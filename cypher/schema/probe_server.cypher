// name: schema/probe_server
// params: none
// returns: name, versions, edition (one row per DBMS component; Neo4j only, other servers fail)
CALL dbms.components() YIELD name, versions, edition
RETURN name, versions, edition
