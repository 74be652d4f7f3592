// name: audit/list_external_identities_reaching_apps
// params: none
// returns: namespace, identity, partner, app, resource_tenant, via, rule, policy
// Every external identity (the home user behind a guest or synced object) that holds an app
// role assignment in another tenant, directly or through nested groups (up to 6 levels): the
// partner is its home tenant, `via` the objects that hold the assignment, and rule/policy the
// resource tenant's inbound B2B collaboration trust edge toward that partner (null: none).
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
MATCH (local:TgNode:User {snapshot: s.id})-[:GUEST_OF|SYNCED_FROM]->(home:User)
MATCH (home)-[:HOMED_IN]->(partner:Tenant)
MATCH (local)-[:MEMBER_OF*0..6]->(holder:TgNode)-[:ASSIGNED_TO]->(app:App)
MATCH (app)-[:HOMED_IN]->(resource:Tenant)
WHERE resource.ref <> partner.ref
OPTIONAL MATCH (resource)-[inbound:B2B_COLLAB_IN]->(partner)
WHERE inbound.gen = s.trustGen
RETURN ns.name AS namespace, home.ref AS identity, partner.ref AS partner, app.ref AS app,
       resource.ref AS resource_tenant, collect(DISTINCT holder.ref) AS via,
       inbound.rule AS rule, inbound.policy AS policy
ORDER BY namespace, identity, app
