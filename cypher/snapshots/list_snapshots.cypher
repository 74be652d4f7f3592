// name: snapshots/list_snapshots
// params: $namespace
// returns: id, created_at, source, title, counts, trust_gen, node_count, request_key, line, base, gap, seq_end (published snapshots, newest first)
MATCH (s:TgSnapshot)
WHERE s.namespace = $namespace AND s.complete = true
RETURN s.id AS id, s.createdAt AS created_at, s.source AS source, s.title AS title,
       s.counts AS counts, s.trustGen AS trust_gen, s.nodeCount AS node_count,
       s.requestKey AS request_key, coalesce(s.line, s.id) AS line, s.base AS base,
       coalesce(s.gap, 1) AS gap, s.seqEnd AS seq_end
ORDER BY id DESC
