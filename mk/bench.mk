# Side-by-side comparison with baresip (internal/benchcmp): start → REGISTER
# over TLS, dial → established, RSS idle / in a call, CPU of an SRTP G.711
# call, on one Kamailio with one auto-answering baresip as the far end. It
# prints a table with ratios and PASS/FAIL per target; a miss does not fail
# the target (it is a measurement). Needs kamailio, kamailio-tls-modules and
# baresip-core (make deps-test). The headless build is measured as an
# installed copy (written with write(); the linker's mmap-written output maps
# 2 MB page-cache folios and shows ~11 MB more RSS), with the anon/file split.
# A Go floor (internal/benchcmp/testdata/floor: sipgo REGISTER over TLS, idle)
# is measured in the same run, beside baresip's idle RSS.
#
#   BENCH_CALL_SECONDS=5 make bench-compare        # quick iteration (default 30)
#   BENCH_SOFTPHONE_AUDIO=null make bench-compare  # softphone sends silence
#   BENCH_SOFTPHONE_ENV="GOGC=50" make bench-compare
#   BENCH_SOFTPHONE_DIAG=/tmp/diag make bench-compare  # + pprof/memstats build
#   BENCH_TRACE=1 make bench-compare               # every child line, timed

.PHONY: bench-compare bench-latency test-latency

## bench-compare: softphone vs baresip, side by side (one run, table with ratios)
bench-compare:
	$(GO) test -run '^$$' -bench VersusBaresip -benchtime 1x -timeout 10m ./internal/benchcmp

# Echo-test latency through a real sound server (scripts/bench-latency.sh):
# the desktop binary in demo mode on a private PulseAudio with virtual
# devices, a click train into the microphone, the speaker recorded; prints the
# round-trip median/p95, the pass-through floor of the same run and the
# per-stage account. LATENCY_MINUTES=10 measures again after ten minutes.
#
#   make bench-latency                      # at 0 min (about a minute)
#   LATENCY_MINUTES=10 make bench-latency   # at 0 and at 10 min

## bench-latency: echo round trip through PulseAudio, median/p95 beside the floor, per-stage account
bench-latency: build
	scripts/bench-latency.sh $(BUILD)/softphone

## test-latency: the bench-latency path as a CI test: audio both ways, round trip < 250 ms
test-latency: build
	LATENCY_CLICKS=10 LATENCY_MAX_MS=250 scripts/bench-latency.sh $(BUILD)/softphone

# Audio on a bad line (issue 15 §5): two real audio sessions over SRTP on
# loopback, one way through internal/netem, the linphone speech recording
# (or a synthetic voice). Per condition (0/5/10 % loss, 0/50 ms jitter with
# reordering) and codec (PCMA, G722, Opus without and with in-band FEC) it
# prints the share of concealed frames, the share rebuilt from FEC and a
# segmental waveform correlation, beside the 0 % reference of the same run.
# About two minutes (real-time calls).

.PHONY: bench-badline

## bench-badline: concealed frames and waveform correlation per loss/jitter condition and codec
bench-badline:
	$(GO) test -run '^$$' -bench BadLine -benchtime 1x -timeout 10m ./audio
