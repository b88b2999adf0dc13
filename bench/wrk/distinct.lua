-- POST a body made from $WRK_TEMPLATE (a file; its one %s is replaced) with a different value
-- each time: string.format($WRK_FORMAT, n) for n = $WRK_BASE + 1, + 2, ... With several wrk processes at once
-- (two nodes), $WRK_SLOT is this process's first thread slot and $WRK_SLOTS the threads of all
-- processes, so no two requests anywhere use the same n.
local threads = tonumber(os.getenv("WRK_THREADS") or "2")
local slots = tonumber(os.getenv("WRK_SLOTS") or tostring(threads))
local first_slot = tonumber(os.getenv("WRK_SLOT") or "0")
local format = os.getenv("WRK_FORMAT")
local base = tonumber(os.getenv("WRK_BASE") or "0")  -- n starts after it
local f = assert(io.open(os.getenv("WRK_TEMPLATE"), "r"))
local template = f:read("*a")
f:close()
local counter = 0
local next_id = first_slot
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
  local value = string.format(format, base + id + 1 + (counter - 1) * slots)
  local body = template:gsub("%%s", value)
  return wrk.format(nil, nil, nil, body)
end
