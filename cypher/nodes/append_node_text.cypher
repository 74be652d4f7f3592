// name: nodes/append_node_text
// params: $snapshot, $key, $prop, $part
// returns: appended (1 when the node exists; for text too long for one statement)
MATCH (n:TgNode {snapshot: $snapshot, key: $key})
SET n.data = CASE WHEN $prop = 'data' THEN coalesce(n.data, '') + $part ELSE n.data END,
    n.appRoleAssignments = CASE WHEN $prop = 'appRoleAssignments'
        THEN coalesce(n.appRoleAssignments, '') + $part ELSE n.appRoleAssignments END,
    n.packageAssignments = CASE WHEN $prop = 'packageAssignments'
        THEN coalesce(n.packageAssignments, '') + $part ELSE n.packageAssignments END
RETURN count(n) AS appended
