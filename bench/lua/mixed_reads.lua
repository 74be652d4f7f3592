-- wrk script for bench/soak.py: mixed GraphQL reads, a random token per request, and a
-- summary in JSON (wrk's own report has no p95). A 2xx answer whose body holds "errors" counts
-- as an error too.
local tokens = {}
for line in io.lines(os.getenv("SOAK_TOKENS")) do tokens[#tokens + 1] = line end

local queries = {
  '{"query":"{ viewer { role } }"}',
  '{"query":"{ access(principal: \\"fabrikam/bob\\", resource: \\"contoso/payroll\\") { decision mfa } }"}',
  '{"query":"{ whoCanAccess(resource: \\"contoso/payroll\\", first: 10) { totalCount edges { node { principal } } } }"}',
  '{"query":"{ users(first: 20) { totalCount nodes { ref userType } } }"}',
  '{"query":"{ trustGraph { nodes { name } edges { source target } } }"}',
  '{"query":"{ currentSnapshot { id } }"}',
}

local graphql_errors = 0
local thread_list = {}

function setup(thread)
  thread_list[#thread_list + 1] = thread
end

function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1e6))
end

function request()
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }
  return wrk.format("POST", "/graphql", headers, queries[math.random(#queries)])
end

function response(status, headers, body)
  if status == 200 and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local gql = 0
  for _, t in ipairs(thread_list) do gql = gql + (t:get("graphql_errors") or 0) end
  local e = summary.errors
  io.write(string.format(
    'SOAK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "graphql_errors": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, gql,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
