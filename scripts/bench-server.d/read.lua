-- wrk script: GET /v1/cases/{id} for random case ids from $IDS, with the bearer token $TOKEN.
local ids = {}
for line in io.lines(os.getenv("IDS")) do ids[#ids + 1] = line end
local auth = "Bearer " .. os.getenv("TOKEN")
math.randomseed(os.time())

request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/v1/cases/" .. id, { ["Authorization"] = auth })
end

done = function(summary, latency, requests)
  io.write(string.format("reads: %d requests in %.1f s = %.0f req/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; errors: connect %d, read %d, write %d, timeout %d, status %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
end
