-- wrk script: a fleet's agents pushing in real time. Each request is one agent's 10 s window: SERVICES services,
-- the window the current wall-clock 10 s (as agents send it), the payload the typical one with one stack of the
-- agent's own (hosts differ), so no two requests are duplicates and every sample sent must be stored once.
-- PAYLOAD, SERVICES and TOKEN come from the environment.
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
  services = tonumber(os.getenv("SERVICES") or "20")
  headers = { ["Content-Type"] = "text/plain" }
  local token = os.getenv("TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  local from = math.floor(os.time() / 10) * 10
  local service = (id * 7919 + counter) % services
  local own = string.format("agent.main;agent.host_%d_%d 1\n", id, counter)
  local path = string.format("/ingest?name=fleet%d.cpu&from=%d&until=%d&format=folded", service, from, from + 10)
  return wrk.format("POST", path, headers, body .. own)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d errors_connect=%d errors_timeout=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
