-- POST the body in $WRK_BODY (a file) to the path given on the command line, with the bench key.
local f = assert(io.open(os.getenv("WRK_BODY"), "r"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-App-Id"] = "bench"
wrk.headers["X-App-Token"] = "bench"
