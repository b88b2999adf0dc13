-- GET the path given on the command line with the bench key.
wrk.headers["X-App-Id"] = "bench"
wrk.headers["X-App-Token"] = "bench"
