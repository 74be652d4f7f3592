// name: audit/list_partners_open_to_all
// params: none
// returns: namespace, tenant, partner, rule, policy, source_url
// Every tenant whose effective inbound B2B collaboration setting admits all users of a partner
// to all apps (the derived B2B_COLLAB_IN edge with scope `all`); `policy` says whether the
// partner entry or the default configuration decided it.
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
MATCH (resource:TgNode:Tenant {snapshot: coalesce(s.line, s.id)})-[inbound:B2B_COLLAB_IN]->(partner:Tenant)
WHERE inbound.gen = s.trustGen AND inbound.scope = 'all'
  AND (resource.from IS NULL OR resource.from <= s.id) AND (resource.to IS NULL OR resource.to > s.id)
  AND (inbound.from IS NULL OR inbound.from <= s.id) AND (inbound.to IS NULL OR inbound.to > s.id)
RETURN ns.name AS namespace, resource.ref AS tenant, partner.ref AS partner,
       inbound.rule AS rule, inbound.policy AS policy, inbound.sourceUrl AS source_url
ORDER BY namespace, tenant, partner
