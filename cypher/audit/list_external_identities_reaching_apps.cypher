// name: audit/list_external_identities_reaching_apps
// params: none
// returns: namespace, identity, partner, app, resource_tenant, via, rule, policy
// Every external identity (the home user behind a guest or synced object) that holds an app
// role assignment in another tenant, directly or through nested groups (up to 6 levels): the
// partner is its home tenant, `via` the objects that hold the assignment, and rule/policy the
// resource tenant's inbound B2B collaboration trust edge toward that partner (null: none).
// Each snapshot sees the versions of its line whose range holds it (`from` <= id < `to`); an
// edge is valid only while both its ends are, so the walk checks the edges it takes.
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
MATCH (local:TgNode:User {snapshot: coalesce(s.line, s.id)})-[e:GUEST_OF|SYNCED_FROM]->(home:User)
WHERE (local.from IS NULL OR local.from <= s.id) AND (local.to IS NULL OR local.to > s.id)
  AND (e.from IS NULL OR e.from <= s.id) AND (e.to IS NULL OR e.to > s.id)
MATCH (home)-[h:HOMED_IN]->(partner:Tenant)
WHERE (h.from IS NULL OR h.from <= s.id) AND (h.to IS NULL OR h.to > s.id)
MATCH p = (local)-[:MEMBER_OF*0..6]->(holder:TgNode)-[:ASSIGNED_TO]->(app:App)-[:HOMED_IN]->(resource:Tenant)
WHERE resource.ref <> partner.ref
  AND all(r IN relationships(p)
          WHERE (r.from IS NULL OR r.from <= s.id) AND (r.to IS NULL OR r.to > s.id))
OPTIONAL MATCH (resource)-[inbound:B2B_COLLAB_IN]->(partner)
WHERE inbound.gen = s.trustGen
  AND (inbound.from IS NULL OR inbound.from <= s.id) AND (inbound.to IS NULL OR inbound.to > s.id)
RETURN ns.name AS namespace, home.ref AS identity, partner.ref AS partner, app.ref AS app,
       resource.ref AS resource_tenant, collect(DISTINCT holder.ref) AS via,
       inbound.rule AS rule, inbound.policy AS policy
ORDER BY namespace, identity, app
