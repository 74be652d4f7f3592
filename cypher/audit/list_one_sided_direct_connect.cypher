// name: audit/list_one_sided_direct_connect
// params: none
// returns: namespace, configured_by, partner, side, missing, rule, policy
// B2B direct connect that only one side allows: `configured_by` admits the partner inbound (or
// lets its users out), but the partner has no matching outbound (or inbound) edge back, so
// shared channels between them do not work; `missing` is the edge kind the partner lacks.
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
WITH ns, s.id AS sid, coalesce(s.line, s.id) AS line, s.trustGen AS gen
MATCH (a:TgNode:Tenant {snapshot: line})-[dc:DIRECT_CONNECT_IN|DIRECT_CONNECT_OUT]->(b:Tenant)
WHERE dc.gen = gen
  AND (a.from IS NULL OR a.from <= sid) AND (a.to IS NULL OR a.to > sid)
  AND (dc.from IS NULL OR dc.from <= sid) AND (dc.to IS NULL OR dc.to > sid)
WITH ns, sid, gen, a, b, dc,
     CASE type(dc) WHEN 'DIRECT_CONNECT_IN' THEN 'DIRECT_CONNECT_OUT'
                   ELSE 'DIRECT_CONNECT_IN' END AS missing
OPTIONAL MATCH (b)-[back]->(a)
WHERE back.gen = gen AND type(back) = missing
  AND (back.from IS NULL OR back.from <= sid) AND (back.to IS NULL OR back.to > sid)
WITH ns, a, b, dc, missing, count(back) AS matched
WHERE matched = 0
RETURN ns.name AS namespace, a.ref AS configured_by, b.ref AS partner,
       CASE type(dc) WHEN 'DIRECT_CONNECT_IN' THEN 'inbound' ELSE 'outbound' END AS side,
       missing, dc.rule AS rule, dc.policy AS policy
ORDER BY namespace, configured_by, partner, side
