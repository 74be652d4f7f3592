// name: nodes/get_node
// params: $namespace, $key
// returns: kind, props (all properties, bookkeeping included; no row when there is no such node)
MATCH (ns:TgNamespace {name: $namespace})
MATCH (n:TgNode {snapshot: ns.current, key: $key})
RETURN n.kind AS kind, properties(n) AS props
