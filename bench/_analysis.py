"""The prose of RESULTS.md: why a target was missed and what would reach it, the method, the
engine changes. `bench.report` fills the `{...}` fields with the run's numbers (a name is the
probe's JSON path joined by `_`, e.g. `engine_who_warm_full_ms`; unknown names print `?`).

Why kept apart from the report code: these paragraphs are analysis written from profiles of
the runs (see the engine and store notes), not computed; keeping them in one place makes it
obvious which sentences to revisit when the numbers move.
"""

from __future__ import annotations

__all__ = ["ANALYSIS"]

ANALYSIS: dict[str, str] = {
    "check_p95": """
Why: `check` builds the whole verdict — every route the principal has a foothold for, every
gate's reason with its rendered message, every path with its hops and documentation URL — so
its cost is the explanation, not the lookup (index lookups are dict hits). The slowest checks
are B2B guests of the hub tenant: both cross-tenant sections are resolved by a linear scan of
the tenant's partner entries (`CrossTenantAccessPolicy.partner`; the hub has hundreds), plus
Conditional Access with trust and the terms-of-use gate. What would reach it: index partner
entries by tenant id, build reasons lazily (render `message` on first read), and reuse the
per-(home tenant, resource tenant, app) gate results the reverse lookups already share
(`graphmodel/engine/equivalence.py`) for single checks too.
""",
    "naive_ratio": """
Why: the baseline's cost is path enumeration from the principal, which grows with the
principal's neighbourhood (its groups, its tenant's open apps, its guest objects), not with
the world; on small worlds both sides are a few hundred microseconds of Python. The ratio
grows with scale (see the table); a larger sample of big-tenant principals raises it further.
""",
    "who_first": """
Why: the first page after a cold start pays for sorting the tenant's principals
(`engine_who_cold_first_page_ms` ms); warm pages cost only themselves. What would reach it
cold: build the per-tenant sorted principal lists with the index (adds about that time to
the build) or in the background after a snapshot loads.
""",
    "who_full": """
Why: every one of the {engine_who_principals} principals still costs a Python loop step, a
class lookup and a `Reach` object; when the caller keeps all of them in one list the cyclic
GC rescans the growing list ({engine_who_full_as_list_ms} ms instead of
{engine_who_warm_full_ms} ms). What would reach it: stream (the service pages with cursors),
or return classes with member lists (decide ~{engine_who_principals} principals as a few
hundred classes and expand lazily), or keep the per-tenant principal arrays in `array`/numpy
form and filter them vectorised.
""",
    "http_p95": """
Why: the engine's part of a request is the in-process `GraphService.check`,
{http_in_process_p50_us} µs at p50. The server's part is the rest: measured in-process through
the ASGI app (no network, client in the same process), one `access` request asking for the
full explanation costs ~1.9 ms of CPU — GraphQL execution of a ~25-field selection over the
verdict's paths, hops and reasons, about 16 thread-pool hand-offs per request, JSON — even now
that parsed and validated documents are cached (API commit 8ff20b6; before it, validation
alone was ~60% of a request). One uvicorn process serves requests one at a time under the
GIL, so at concurrency 8 each request waits behind up to seven others, and the asyncio client
shares the two cores: {http_http_requests_per_s} requests/s, p50 {http_http_p50_us} µs, p95
{http_http_p95_us} µs. What would reach it: two uvicorn workers (one per core); one thread
hand-off per resolver instead of ~16 per request; `GraphService` keeping the current snapshot
id instead of asking the store on every question; and a lean execution path for the hot
`access` query (pre-planned selection, direct serialisation). With eight requests in flight
on two cores, p95 ≤ 5 ms needs ≤ ~1 ms of server CPU per request end to end.
""",
    "build": """
Why: the index is built in one pass per fact kind, but in Python every fact is a dict or
list insert. What would reach it: build the per-kind indexes in parallel processes from the
stored snapshot, or keep them in the snapshot (they are pure functions of the World).
""",
    "rss": """
Why: one Python object per user, group membership tuple and index entry. What would reach
it: interned refs (one string per object, shared by every index) and integer node ids in
`array` columns instead of per-object dataclasses.
""",
    "rss_store": """
Why: the engine's own footprint is the World plus its index ({build_peak_rss_mb} MiB peak
with the generator). A server restarted on the snapshot file also holds the memory store's
view: a networkx MultiDiGraph with a node per object (its props, including the entity's JSON)
and an attribute dict plus record list per edge, besides the decoded World the engine indexes —
{store_reopen_peak_rss_mb} MiB at the peak of reopening and indexing. What would reach it:
the same change as for reopen time — keep the World (what the engine reads) and build the
networkx view lazily or not at all for the engine; with the view gone the process holds about
the engine's footprint.
""",
    "reopen": """
Why (profiled at M, where reopen took ~9 s): opening the memory store decodes every node's
JSON props and every edge's props from sqlite (~30%), rebuilds the whole networkx
MultiDiGraph — one attribute dict and record list per edge (~35%) — and decodes every entity
through the schema codec (~30%); the cyclic GC adds ~30% on top because nothing is frozen
while millions of objects are created. At L that is {store_reopen_counts_users} users,
~4M edges: {store_reopen_reopen_s} s; the snapshot file is {store_write_file_mb} MiB.
What would reach it (memory store, not the engine):
write the World once per snapshot as one compact blob (per-kind row tuples, decoded by
generated per-class decoders) and read that for the engine; build the networkx view lazily,
only when a store-protocol graph read (`out_edges`, exports) asks for it; pause the GC while
loading and `gc.freeze()` after, as `WorldIndex` now does.
""",
    "method": """
How the cross-checks work. *Engine vs naive*: for each sampled (principal, resource) pair,
`check` and the naive baseline (networkx `all_simple_paths` from principal to resource over the
whole access graph, cutoff 6 edges, then per path: is its shape a grant the rules accept — L37
direct assignment or direct membership, L20 valid package, L25 channel membership — and does
its route pass the engine's gates) must give the same decision and MFA location, and every
path of an allowing verdict must be among the naive paths. *Batched vs per-candidate*: for the
widest app and for sampled resources, the batched `who_can_access` must yield exactly the
(principal, decision, mfa, via) list that running `check` on every candidate yields; the same
for `reachable` on sampled principals. Pairs are 80% resources near the principal (tenants
where it has an object, its channels), 20% any resource. Percentiles are nearest-rank over
individual calls; "warm" means the second and later lookups on a built index, "cold" the first
one after the index was built. The naive sample is capped by count and time per scale (the
table says how many pairs it ran); its engine column is measured interleaved with it.
""",
    "neo4j": """
Server: {server}. Same World, same questions through `GraphService` on both stores; answers
agree: {agree}.

| | embedded (memory) | Neo4j protocol |
|---|---:|---:|
| snapshot write (s) | {memory_write_s} | {neo4j_write_s} |
| read World back (s) | {memory_read_world_s} | {neo4j_read_world_s} |
| `node(key)` p50 / p95 (µs) | {memory_node_p50_us} / {memory_node_p95_us} \
| {neo4j_node_p50_us} / {neo4j_node_p95_us} |
| `out_edges(key)` p50 / p95 (µs) | {memory_out_edges_p50_us} / {memory_out_edges_p95_us} \
| {neo4j_out_edges_p50_us} / {neo4j_out_edges_p95_us} |
| `GraphService.check` p50 / p95 (µs) | {memory_check_p50_us} / {memory_check_p95_us} \
| {neo4j_check_p50_us} / {neo4j_check_p95_us} |

The engine answers from its in-memory index on both, so a check differs only by what the
service asks the store per question: `GraphService.index()` reads the current snapshot id,
which is an attribute read on the memory store and a Bolt round trip on the server store.
""",
    "notes": """
## Notes on the numbers

- *Cold vs warm reverse lookups.* The first who-can-access in a tenant after an index build
  computes the principal classes of the entries it streams (`TenantPrincipals.fill`); the
  sorted principal lists themselves are built with the index, so a cold first page costs
  little. The cold full stream is the one-time class computation for the whole tenant.
- *Full result in one list.* Streaming the widest app costs what the "full stream" row
  says; collecting all results into one list costs more ("kept in a list") because the
  cyclic GC rescans the growing list of new `Reach` objects. The service pages with cursors.
- *Reachable tails.* A principal whose class was never evaluated pays one `check` per
  resource class of its tenants the first time (p99); later principals of the same class
  reuse the remembered decisions.
- *Shared machine.* Other jobs ran on the same two cores during the run (load average in the
  header); single-call maxima of several milliseconds are scheduling, not the engine.
""",
    "engine_changes": """
## What changed in the engine for this (and why)

- `graphmodel/engine/index.py`: the cyclic GC is paused while the index is built (it rescanned
  the millions of new containers on every generation-2 pass); group refs are computed once per
  group instead of once per membership; the transitive group closure (and its object ids) is
  computed once per *group*, reusing the closures of the groups it nests in, and all of them
  at build time (first-use walks were the tail of `check` on a fresh index); a user's closure
  is the union of its direct groups' (no per-user closure objects at 1M users), and the
  cross-tenant target ids of recently asked users are kept in a bounded cache; each tenant's
  Teams app is found in the build pass instead of a scan per tenant; per tenant, the
  principals with an object there are sorted once (the order reverse lookups stream in);
  mail, domain and per-tenant resource indexes are built on first use.
- `graphmodel/engine/reverse.py`, `equivalence.py`, `candidates.py`, `reach.py` (new) and
  `lookup.py`: who-can-access and reachable decide each equivalence class of (principal,
  resource) pairs with one `check` — the class holds every fact of the principal, its object in
  the resource tenant and the resource that `check` reads, with user/group targeting reduced
  to the targeted ids the user has — and stream in cursor order from per-tenant sorted
  principal lists; a candidate with no grant on any route is skipped (no path, so deny);
  `Reach.verdict` runs `check` for that pair on first read (`Reach` also carries `decision`,
  `mfa`, `via`). Decisions of classes are remembered per index (bounded), so later lookups
  reuse them. Candidates named through guest objects are mapped to their home identity, so a
  person appears once.
- `graphmodel/engine/invitations.py` (minimal, no behaviour change): the three linear scans
  (user by mail, tenant by domain, mail in tenant) use the index's lookups.

Before/after at the same scales (before = the engine at the commit given to `--before`):
""",
}
