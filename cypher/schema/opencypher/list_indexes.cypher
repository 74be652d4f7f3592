// name: schema/opencypher/list_indexes
// params: none
// returns: label, properties (one row per index; servers without SHOW INDEXES)
CALL db.indexes() YIELD label, properties
RETURN label, properties
