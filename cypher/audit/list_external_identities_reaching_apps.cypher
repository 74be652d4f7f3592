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
WITH ns, s.id AS sid, coalesce(s.line, s.id) AS line, s.trustGen AS gen
MATCH (local:TgNode:User {snapshot: line})-[e:GUEST_OF|SYNCED_FROM]->(home:User)
WHERE (local.from IS NULL OR local.from <= sid) AND (local.to IS NULL OR local.to > sid)
  AND (e.from IS NULL OR e.from <= sid) AND (e.to IS NULL OR e.to > sid)
MATCH (home)-[h:HOMED_IN]->(partner:Tenant)
WHERE (h.from IS NULL OR h.from <= sid) AND (h.to IS NULL OR h.to > sid)
MATCH p = (local)-[:MEMBER_OF*0..6]->(holder:TgNode)-[:ASSIGNED_TO]->(app:App)-[:HOMED_IN]->(resource:Tenant)
WHERE resource.ref <> partner.ref
  AND all(r IN relationships(p)
          WHERE (r.from IS NULL OR r.from <= sid) AND (r.to IS NULL OR r.to > sid))
OPTIONAL MATCH (resource)-[inbound:B2B_COLLAB_IN]->(partner)
WHERE inbound.gen = gen
  AND (inbound.from IS NULL OR inbound.from <= sid) AND (inbound.to IS NULL OR inbound.to > sid)
RETURN ns.name AS namespace, home.ref AS identity, partner.ref AS partner, app.ref AS app,
       resource.ref AS resource_tenant, collect(DISTINCT holder.ref) AS via,
       inbound.rule AS rule, inbound.policy AS policy
ORDER BY namespace, identity, app
