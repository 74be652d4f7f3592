// name: audit/list_partners_open_to_all
// params: none
// returns: namespace, tenant, partner, rule, policy, source_url
// Every tenant whose effective inbound B2B collaboration setting admits all users of a partner
// to all apps (the derived B2B_COLLAB_IN edge with scope `all`); `policy` says whether the
// partner entry or the default configuration decided it.
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
WITH ns, s.id AS sid, coalesce(s.line, s.id) AS line, s.trustGen AS gen
MATCH (resource:TgNode:Tenant {snapshot: line})-[inbound:B2B_COLLAB_IN]->(partner:Tenant)
WHERE inbound.gen = gen AND inbound.scope = 'all'
  AND (resource.from IS NULL OR resource.from <= sid) AND (resource.to IS NULL OR resource.to > sid)
  AND (inbound.from IS NULL OR inbound.from <= sid) AND (inbound.to IS NULL OR inbound.to > sid)
RETURN ns.name AS namespace, resource.ref AS tenant, partner.ref AS partner,
       inbound.rule AS rule, inbound.policy AS policy, inbound.sourceUrl AS source_url
ORDER BY namespace, tenant, partner
