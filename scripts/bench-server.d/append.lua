-- wrk script: POST /v1/cases/{id}/events, one follow-up event per request (a durable commit
-- each). Run with as many threads as connections (-t N -c N): each thread then has one
-- connection, owns every N-th case of $IDS (at most 50) and knows which case each answer is
-- about; it keeps each case's version from the ETag (If-Match), and counts the acknowledged
-- appends per case, which done() writes to $ACKS for the check against the stored history.
local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
  table.insert(threads, thread)
end

ids, versions, acks = {}, {}, {}
acked, conflicts, failures, seq, current = 0, 0, 0, 0, nil

function init(args)
  local all = {}
  for line in io.lines(os.getenv("IDS")) do all[#all + 1] = line end
  local n = tonumber(os.getenv("THREADS"))
  for i = tid, #all, n do
    ids[#ids + 1] = all[i]
    versions[all[i]] = 1
    if #ids >= 50 then break end
  end
  auth = "Bearer " .. os.getenv("TOKEN")
  label = os.getenv("LABEL")
end

function request()
  seq = seq + 1
  current = ids[(seq % #ids) + 1]
  local body = string.format(
    '{"type":"follow_up_recorded","follow_up":{"id":"fu-bench-%s-%d-%d","on":"2026-06-30","kind":"measure_review",' ..
    '"provenance":{"recorded_at":"2026-06-30T09:00:00Z","recorded_by":{"role":"caseworker","staff":"bench"},"source_system":"bench"}}}',
    label, tid, seq)
  return wrk.format("POST", "/v1/cases/" .. current .. "/events", {
    ["Authorization"] = auth,
    ["If-Match"] = '"' .. versions[current] .. '"',
    ["Content-Type"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status == 200 then
    acked = acked + 1
    acks[current] = (acks[current] or 0) + 1
    versions[current] = tonumber(string.match(headers["etag"] or headers["ETag"] or "", "%d+"))
  elseif status == 412 then
    -- Intended: the case moved on (a rerun on the same store); take its version and go on.
    conflicts = conflicts + 1
    versions[current] = tonumber(string.match(body, '"current_version":(%d+)'))
  else
    failures = failures + 1
    if failures <= 3 then io.stderr:write("append answered " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local total_acked, total_conflicts, total_failures = 0, 0, 0
  local out = io.open(os.getenv("ACKS"), "w")
  for _, t in ipairs(threads) do
    total_acked = total_acked + t:get("acked")
    total_conflicts = total_conflicts + t:get("conflicts")
    total_failures = total_failures + t:get("failures")
    for id, n in pairs(t:get("acks")) do out:write(id .. " " .. n .. "\n") end
  end
  out:close()
  io.write(string.format("appends: %d requests in %.1f s = %.0f req/s; latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; acknowledged %d, 412 %d, other failures %d; socket errors: connect %d, read %d, write %d, timeout %d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    total_acked, total_conflicts, total_failures,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
