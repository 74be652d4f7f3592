// name: audit/list_pending_guests_with_assignments
// params: none
// returns: namespace, guest, mail, apps, via
// Guests who have not redeemed their invitation yet (externalUserState PendingAcceptance) but
// already hold app role assignments, directly or through nested groups (up to 6 levels).
MATCH (ns:TgNamespace)
MATCH (s:TgSnapshot {id: ns.current})
WITH ns, s.id AS sid, coalesce(s.line, s.id) AS line, s.trustGen AS gen
MATCH (guest:TgNode:User {snapshot: line})
WHERE guest.externalUserState = 'PendingAcceptance'
  AND (guest.from IS NULL OR guest.from <= sid) AND (guest.to IS NULL OR guest.to > sid)
MATCH p = (guest)-[:MEMBER_OF*0..6]->(holder:TgNode)-[:ASSIGNED_TO]->(app:App)
WHERE all(r IN relationships(p)
          WHERE (r.from IS NULL OR r.from <= sid) AND (r.to IS NULL OR r.to > sid))
RETURN ns.name AS namespace, guest.ref AS guest, guest.mail AS mail,
       collect(DISTINCT app.ref) AS apps, collect(DISTINCT holder.ref) AS via
ORDER BY namespace, guest
