-- One wrk thread's requests for bench/api.py. Environment:
--   XY_KIND   check (POST a check body to XY_PATH) or profile (GET XY_PATH .. random id)
--   XY_PATH   the path
--   XY_CODES  a file of subject codes, one per line (check); XY_SUBJECTS their number
--   XY_TOKEN  a bearer token (optional); XY_AT the day of the check
local kind = os.getenv("XY_KIND")
local path = os.getenv("XY_PATH")
local token = os.getenv("XY_TOKEN")
local at = os.getenv("XY_AT")
local subjects = tonumber(os.getenv("XY_SUBJECTS"))
local codes = {}
local actions = {"rental", "government_procurement", "inspection", "honours"}
local headers = {["Content-Type"] = "application/json"}
if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  if kind == "check" then
    for line in io.lines(os.getenv("XY_CODES")) do codes[#codes + 1] = line end
  end
end

function request()
  if kind == "check" then
    local body = string.format('{"code":"%s","action":"%s","at":"%s"}',
      codes[math.random(#codes)], actions[math.random(#actions)], at)
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path .. math.random(subjects), headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'XY {"requests":%d,"errors":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
