// name: nodes/list_nodes
// params: $namespace, $kind
// returns: key, props (every node of the kind in the current snapshot, any order)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (n:TgNode {snapshot: ns.current, kind: $kind})
RETURN n.key AS key, properties(n) AS props
