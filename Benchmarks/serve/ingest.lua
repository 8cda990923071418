-- wrk script: POST a typical agent payload to /ingest, each request for its own 10 s window (so none is a duplicate
-- of another: every sample sent must be stored once). PAYLOAD and TOKEN come from the environment.
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
  headers = { ["Content-Type"] = "text/plain" }
  local token = os.getenv("TOKEN")
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
end

function request()
  counter = counter + 1
  local from = 1700000000 + (id * 100000000 + counter) * 10
  local path = string.format("/ingest?name=bench.cpu&from=%d&until=%d&format=folded", from, from + 10)
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors_status=%d errors_connect=%d errors_timeout=%d duration_us=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99)))
end
