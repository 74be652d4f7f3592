// name: audit/list_shared_channels_with_external_members
// params: none
// returns: namespace, channel, host_tenant, external_members, member_tenants
// Every Teams channel with members from outside its host tenant: users homed in another
// tenant (B2B direct connect participants) and guest objects of the host tenant.
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
MATCH (channel:TgNode:Channel {snapshot: s.id})-[:HOMED_IN]->(host:Tenant)
MATCH (member:User)-[:CHANNEL_MEMBER]->(channel)
MATCH (member)-[:HOMED_IN]->(home:Tenant)
WHERE home.ref <> host.ref OR member.userType = 'Guest'
RETURN ns.name AS namespace, channel.ref AS channel, host.ref AS host_tenant,
       collect(DISTINCT member.ref) AS external_members,
       collect(DISTINCT home.ref) AS member_tenants
ORDER BY namespace, channel
