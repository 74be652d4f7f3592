// name: audit/list_shared_channels_with_external_members
// params: none
// returns: namespace, channel, host_tenant, external_members, member_tenants
// Every Teams channel with members from outside its host tenant: users homed in another
// tenant (B2B direct connect participants) and guest objects of the host tenant.
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
WITH ns, s.id AS sid, coalesce(s.line, s.id) AS line, s.trustGen AS gen
MATCH (channel:TgNode:Channel {snapshot: line})-[h:HOMED_IN]->(host:Tenant)
WHERE (channel.from IS NULL OR channel.from <= sid) AND (channel.to IS NULL OR channel.to > sid)
  AND (h.from IS NULL OR h.from <= sid) AND (h.to IS NULL OR h.to > sid)
MATCH (member:User)-[c:CHANNEL_MEMBER]->(channel)
WHERE (c.from IS NULL OR c.from <= sid) AND (c.to IS NULL OR c.to > sid)
MATCH (member)-[mh:HOMED_IN]->(home:Tenant)
WHERE (home.ref <> host.ref OR member.userType = 'Guest')
  AND (mh.from IS NULL OR mh.from <= sid) AND (mh.to IS NULL OR mh.to > sid)
RETURN ns.name AS namespace, channel.ref AS channel, host.ref AS host_tenant,
       collect(DISTINCT member.ref) AS external_members,
       collect(DISTINCT home.ref) AS member_tenants
ORDER BY namespace, channel
