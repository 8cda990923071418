-- wrk script: POST a typical agent payload to /ingest. PAYLOAD, MODE, SERVICES and TOKEN come from the environment.
--   MODE=windows (default): one service, each request for its own 10 s window, so none is a duplicate of another.
--   MODE=fleet: a fleet's agents pushing in real time: SERVICES services (default 20), every request the current
--     wall-clock 10 s window, the payload with one stack of the agent's own (hosts differ), so none is a duplicate.
-- Either way every sample sent must be stored once.
local counter = 0
local threads = 0

function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local file = assert(io.open(os.getenv("PAYLOAD"), "rb"))
  body = file:read("*a")
  file:close()
  fleet = os.getenv("MODE") == "fleet"
  services = tonumber(os.getenv("SERVICES") or "20")
  headers = { ["Content-Type"] = "text/plain" }
  local token = os.getenv("TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  if fleet then
    local from = math.floor(os.time() / 10) * 10
    local service = (id * 7919 + counter) % services
    local own = string.format("agent.main;agent.host_%d_%d 1\n", id, counter)
    local path = string.format("/ingest?name=fleet%d.cpu&from=%d&until=%d&format=folded", service, from, from + 10)
    return wrk.format("POST", path, headers, body .. own)
  end
  local from = 1700000000 + (id * 100000000 + counter) * 10
  local path = string.format("/ingest?name=bench.cpu&from=%d&until=%d&format=folded", from, from + 10)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d errors_connect=%d errors_timeout=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
