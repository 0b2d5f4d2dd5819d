# Side-by-side comparison with baresip (internal/benchcmp): start → REGISTER
# over TLS, dial → established, RSS idle / in a call, CPU of an SRTP G.711
# call, on one Kamailio with one auto-answering baresip as the far end. It
# prints a table with ratios and PASS/FAIL per target; a miss does not fail
# the target (it is a measurement). Needs kamailio, kamailio-tls-modules and
# baresip-core (make deps-test).
#
#   BENCH_CALL_SECONDS=5 make bench-compare        # quick iteration (default 30)
#   BENCH_SOFTPHONE_AUDIO=null make bench-compare  # softphone sends silence
#   BENCH_SOFTPHONE_ENV="GOGC=50" make bench-compare
#   BENCH_SOFTPHONE_DIAG=/tmp/diag make bench-compare  # + pprof/memstats build
#   BENCH_TRACE=1 make bench-compare               # every child line, timed

.PHONY: bench-compare

## bench-compare: softphone vs baresip, side by side (one run, table with ratios)
bench-compare:
	$(GO) test -run '^$$' -bench VersusBaresip -benchtime 1x -timeout 10m ./internal/benchcmp
