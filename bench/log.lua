-- wrk script for POST /log: every request carries new records (fresh UUIDs) from a new
-- client id, as when many people draw at once, so the server stores each one instead of
-- answering "duplicate".
--   wrk -s bench/log.lua http://127.0.0.1:8080/log -- BATCH
-- records.lua sits beside this script, wherever wrk is started from.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local shared = require("records")
local batch = 1

function init(args)
  batch = tonumber(args[1]) or 1
  shared.seed()
end

local prefix = '{"type":"prediction","id":"'
local middle = '","created_at":"2026-11-24T10:00:00.000Z","predicted_digit":7,"model_digit":7,"confidence":0.91,' ..
  '"probabilities":[0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.91,0.01,0.01],"image":"' .. shared.image ..
  '","engine":"native","model_version":"bench","latency_ms":0.4,"client_id":"'

function request()
  local records = {}
  local client = shared.uuid()
  for i = 1, batch do records[i] = prefix .. shared.uuid() .. middle .. client .. '"}' end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"},
    '{"records":[' .. table.concat(records, ",") .. "]}")
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
