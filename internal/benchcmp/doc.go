// Package benchcmp measures the softphone side by side with baresip on the
// same Kamailio, in one run: start → REGISTER 200 over TLS, dial →
// established, RSS idle and in a call, and the CPU time of an SRTP G.711
// call (utime+stime, sampled at the kernel tick, and the exact on-CPU time
// from /proc/PID/task/*/schedstat beside it). It holds only a benchmark
// (BenchmarkVersusBaresip, run by `make bench-compare`) and its helpers;
// nothing here is part of the product.
//
// The benchmark builds cmd/softphone once (the headless build) and runs a
// copy of it written with write(), as an installer puts it on a machine
// (testchild.InstallCopy says why the linker's own output file is not
// measured). It enrols a headless profile with the file vault in a temporary config
// directory, and drives the binary as a child process through its JSON-lines
// automation API. baresip, the client it is compared with, is started with a
// lean configuration (no resampling, no recording) so that it is measured at
// its best; the far end of both calls is one auto-answering baresip from
// internal/testpeer.
//
// Beside the two phones it runs a Go floor, testdata/floor: the smallest Go
// client that does what an idle registered phone must (REGISTER over
// verified TLS with digest authentication through sipgo), built and
// measured like the softphone. Its idle RSS says how much of the
// softphone's memory any Go client on the same SIP stack holds, and so how
// much is the softphone's own.
//
// A miss against a target is printed as FAIL in the table but does not
// fail the benchmark: it is a measurement. Environment:
//
//	BENCH_CALL_SECONDS=5         shorter calls while iterating (default 30)
//	BENCH_SOFTPHONE_AUDIO=null   the softphone sends silence instead of the WAV
//	BENCH_SOFTPHONE_ENV="K=V …"  extra environment (GOGC, GOMEMLIMIT, …)
//	BENCH_SOFTPHONE_BIN=path     measure a prebuilt binary (a candidate fix)
//	BENCH_SOFTPHONE_DIAG=dir     build with testdata/softphone_diag.go.txt
//	                             overlaid: memstats, CPU and alloc profiles
//	BENCH_TRACE=1                print every child line with its time
package benchcmp
