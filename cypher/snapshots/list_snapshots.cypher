// name: snapshots/list_snapshots
// params: $namespace
// returns: id, created_at, source, title, counts, trust_gen, node_count, request_key (published snapshots, newest first)
MATCH (s:TgSnapshot)
WHERE s.namespace = $namespace AND s.complete = true
RETURN s.id AS id, s.createdAt AS created_at, s.source AS source, s.title AS title,
       s.counts AS counts, s.trustGen AS trust_gen, s.nodeCount AS node_count,
       s.requestKey AS request_key
ORDER BY id DESC
