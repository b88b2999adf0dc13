-- POST /v1/redemptions of a different code each time: R-0000001, R-0000002, ... spread over the
-- threads (thread i takes i, i + threads, ...), as bench/run imported them.
local threads = tonumber(os.getenv("WRK_THREADS") or "2")
local counter = 0
local next_id = 0
id = 0  -- set per thread by setup()
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-App-Id"] = "bench"
  wrk.headers["X-App-Token"] = "bench"
end
function request()
  counter = counter + 1
  local code = string.format("R-%07d", id + 1 + (counter - 1) * threads)
  local body = '{"redeemables":[{"object":"voucher","id":"' .. code .. '"}],"order":{"amount":10000}}'
  return wrk.format(nil, nil, nil, body)
end
