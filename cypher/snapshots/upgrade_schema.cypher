// name: snapshots/upgrade_schema
// params: $schema_version
// returns: found (the schema version the database had, after raising an older one to $schema_version)
// Schema 1 (a copy of every node per snapshot) is schema 2 with one line per snapshot and no
// ranges, so it is read as it is; only the counter node is relabelled, which makes writers
// of schema 1 refuse the database (they look for their version's counter).
MATCH (m:TgMeta)
WITH m, m.schemaVersion AS found
SET m.schemaVersion = CASE WHEN found < $schema_version THEN $schema_version ELSE found END
RETURN found
