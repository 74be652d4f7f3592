-- wrk script: GET `path`, or POST JSON bodies read from a file (one per line, used in turn),
-- and print one JSON line with the latency percentiles (microseconds) when done.
--   wrk ... -s bench/wrk/report.lua URL -- PATH [BODIES_FILE]
local path = "/"
local bodies = {}
local next_body = 0

function init(args)
  path = args[1] or "/"
  if args[2] then
    local f = assert(io.open(args[2], "r"))
    for line in f:lines() do
      bodies[#bodies + 1] = line
    end
    f:close()
    -- threads start at different bodies so they do not ask the same question in lockstep
    next_body = math.random(#bodies) - 1
  end
end

function request()
  if #bodies == 0 then
    return wrk.format("GET", path)
  end
  next_body = next_body % #bodies + 1
  return wrk.format("POST", path, { ["Content-Type"] = "application/json" }, bodies[next_body])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"non2xx":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
