-- wrk script that fills the database through POST /log: BATCH predictions per request,
-- a third of them followed by their feedback (right nine times in ten), new ids and a
-- new client each request. bench/growth.sh stops it when the table is full enough.
--   wrk -t2 -c16 -d1h -s bench/fill.lua http://127.0.0.1:8080/log -- BATCH
-- records.lua sits beside this script, wherever wrk is started from.
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local shared = require("records")
local batch = 50

function init(args)
  batch = tonumber(args[1]) or batch
  shared.seed()
end

function request()
  local client, records = shared.uuid(), {}
  for i = 1, batch do
    local id, digit = shared.uuid(), math.random(0, 9)
    local confidence = 0.5 + math.floor(math.random() * 500) / 1000
    local probabilities = {}
    for d = 0, 9 do probabilities[d + 1] = d == digit and confidence or (1 - confidence) / 9 end
    records[#records + 1] = string.format(
      '{"type":"prediction","id":"%s","created_at":"2026-11-24T10:00:00.000Z","predicted_digit":%d,"model_digit":%d,' ..
      '"confidence":%.3f,"probabilities":[%s],"image":"%s",' ..
      '"engine":"%s","model_version":"bench","latency_ms":%.3f,"client_id":"%s"}',
      id, digit, digit, confidence, table.concat(probabilities, ","), shared.image, math.random() < 0.8 and "native" or "ort", math.random() * 2, client)
    if i % 3 == 0 then
      local truth = math.random() < 0.9 and digit or (digit + 1) % 10
      records[#records + 1] = string.format(
        '{"type":"feedback","id":"%s","prediction_id":"%s","true_digit":%d,' ..
        '"created_at":"2026-11-24T10:00:05.000Z","client_id":"%s"}', shared.uuid(), id, truth, client)
    end
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, '{"records":[' .. table.concat(records, ",") .. "]}")
end
