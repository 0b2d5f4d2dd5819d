//go:build linux

package benchcmp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

const (
	softphoneUser = "1000"
	baresipUser   = "2000"
	farUser       = "3000"

	// idleSettle is how long a client sits registered before its idle RSS
	// is read.
	idleSettle = 3 * time.Second
	// regExpires is the registration both clients ask for: short, so that
	// the idle run sees a refresh (softphone at 80 % of it, baresip at
	// 90 %) before refreshedAt, when the idle RSS is read again. An idle
	// phone's life is refreshes: read right after the first REGISTER, the
	// RSS would miss the code every refresh runs.
	regExpires  = 20 * time.Second
	refreshedAt = 21 * time.Second // after the registration
	// rssEvery is the RSS sampling period during a call.
	rssEvery = 250 * time.Millisecond
)

// regOK is baresip's log line for the 200 OK to its REGISTER, e.g.
// "sip:2000@localhost: {0/TLS/v4} 200 OK (Kamailio) [1 binding]".
var regOK = regexp.MustCompile(`\} 200 OK \(`)

// srtpSuite is baresip's log line for an encrypted stream.
var srtpSuite = regexp.MustCompile(`SRTP is Enabled \(cryptosuite=([A-Z0-9_]+)\)`)

// figures are one client's measurements in one run.
type figures struct {
	StartToRegister  time.Duration // exec → REGISTER 200 (softphone: "registered" event)
	Login            time.Duration // softphone: exec → "logged_in" (2FA, argon2id)
	LoginToRegister  time.Duration // softphone: "logged_in" → "registered"
	StartToRegister2 time.Duration // softphone: the same in the idle (answer) run
	Dial             time.Duration // dial → established
	RSSIdle          memKB         // registered, no call, after idleSettle
	RSSIdleRefreshed memKB         // the same at refreshedAt, after a REGISTER refresh
	GoFloorIdle      memKB         // softphone's figures: the Go floor client (testdata/floor), the same
	RSSCallPeak      int64         // KiB, highest VmRSS sampled during the call
	RSSCallMean      int64         // KiB, mean of the samples
	RSSCallEnd       memKB         // at the end of the call window (anon/file split)
	CPU              cpuSplit      // utime and stime during the call window
	OnCPU            time.Duration // scheduler run time during the call window (schedstat)
	Switches         int64         // context switches during the call window
	Threads          int64         // threads at the end of the call window
	Window           time.Duration // the call window actually measured
	Notes            []string
}

// callSeconds is BENCH_CALL_SECONDS (default 30).
func callSeconds(b *testing.B) int {
	s := os.Getenv("BENCH_CALL_SECONDS")
	if s == "" {
		return 30
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 600 {
		b.Fatalf("BENCH_CALL_SECONDS=%q: want whole seconds in 1..600", s)
	}
	return n
}

// BenchmarkVersusBaresip measures the softphone and baresip side by side
// on one Kamailio, calling the same auto-answering baresip, and prints a
// table with ratios and PASS/FAIL against the targets. A miss does not fail
// the benchmark. Run it with -benchtime 1x (see mk/bench.mk).
func BenchmarkVersusBaresip(b *testing.B) {
	if testing.Short() {
		b.Skip("side-by-side benchmark with real Kamailio and baresip: not in -short mode")
	}
	secs := callSeconds(b)
	audioMode := os.Getenv("BENCH_SOFTPHONE_AUDIO") // "" or "tone": 440 Hz WAV; "null": silence
	bin := buildSoftphone(b)
	floorBin := buildFloor(b)

	k := testpeer.StartKamailio(b, map[string]string{
		softphoneUser: "sip-pw-1000", baresipUser: "sip-pw-2000", farUser: "sip-pw-3000", floorUser: "sip-pw-4000",
	})
	far := testpeer.StartBaresip(b, k, farUser, "sip-pw-3000", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	sp := setupSoftphone(b, bin, k, softphoneUser, "sip-pw-1000")
	// Both clients send the same 440 Hz WAV, long enough for the call.
	wav := filepath.Join(b.TempDir(), "tone440.wav")
	if err := writeToneWAV(wav, 440, secs+30); err != nil {
		b.Fatal(err)
	}
	audioArgs := []string{"--audio", "null"}
	if audioMode != "null" {
		audioArgs = append(audioArgs, "--play", wav)
		audioMode = "440 Hz 8 kHz WAV (--play)"
	} else {
		audioMode = "null device (silence)"
	}

	var spRuns, brRuns []figures
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		loadBefore := loadAvg()
		br := measureBaresip(b, k, secs, wav)
		br.Notes = append(br.Notes, farEndHeard(far.Dir, "baresip"))
		spf := measureSoftphone(b, sp, secs, audioArgs)
		spf.GoFloorIdle = measureFloor(b, floorBin, k)
		spf.Notes = append(spf.Notes, farEndHeard(far.Dir, "softphone"))
		spRuns, brRuns = append(spRuns, spf), append(brRuns, br)
		printTable(os.Stdout, spf, br, secs, audioMode, loadBefore, loadAvg())
	}
	b.StopTimer()
	reportMetrics(b, spRuns, brRuns, secs)
}

// measureBaresip runs the lean baresip as the measured client.
func measureBaresip(b *testing.B, k *testpeer.Kamailio, secs int, wav string) figures {
	b.Helper()
	var f figures
	lb := startLeanBaresip(b, k, baresipUser, "sip-pw-2000", wav)
	defer lb.stop()
	reg, _ := lb.waitRegexp(b, 0, regOK, 20*time.Second)
	f.StartToRegister = reg.At.Sub(lb.Started)
	f.RSSIdle, f.RSSIdleRefreshed = idleMemory(b, k, lb.Pid(), reg.At, &f)

	dialAt := lb.command(b, "dial", fmt.Sprintf("sip:%s@%s", farUser, k.Domain))
	est := lb.waitEvent(b, "CALL_ESTABLISHED", 20*time.Second)
	f.Dial = est.Sub(dialAt)
	measureCall(b, lb.Pid(), secs, &f)
	lb.command(b, "hangup", "")
	lb.waitEvent(b, "CALL_CLOSED", 10*time.Second)
	if m := srtpSuite.FindStringSubmatch(lb.output()); m != nil {
		f.Notes = append(f.Notes, "baresip call: "+m[1])
	} else {
		f.Notes = append(f.Notes, "baresip call: SRTP NOT reported in its log")
	}
	return f
}

// idleMemory reads pid's memory idleSettle after its registration at reg
// and again at refreshedAt, and notes in f when Kamailio saw no REGISTER
// in between (only the measured client registers during its idle run).
func idleMemory(b *testing.B, k *testpeer.Kamailio, pid int, reg time.Time, f *figures) (settled, refreshed memKB) {
	b.Helper()
	time.Sleep(time.Until(reg.Add(idleSettle)))
	settled, err := memory(pid)
	if err != nil {
		b.Fatal(err)
	}
	before := strings.Count(k.Log(), "REQ REGISTER")
	time.Sleep(time.Until(reg.Add(refreshedAt)))
	if refreshed, err = memory(pid); err != nil {
		b.Fatal(err)
	}
	if strings.Count(k.Log(), "REQ REGISTER") == before {
		f.Notes = append(f.Notes, fmt.Sprintf("no REGISTER refresh seen within %v of the registration", refreshedAt))
	}
	return settled, refreshed
}

// measureSoftphone runs `softphone answer` for the idle figures and
// `softphone call` for the rest.
func measureSoftphone(b *testing.B, sp *softphoneSetup, secs int, audioArgs []string) figures {
	b.Helper()
	var f figures

	code := ""
	if len(sp.recovery) > 0 {
		code = sp.takeRecovery()
	} else {
		code = sp.nextTOTP(b)
	}
	idle := sp.start(b, "softphone answer", code, diagEnv("idle", idleSettle, 0), "answer", "--count", "1", "--audio", "null")
	_, i := idle.waitEvent(b, 0, "logged_in", nil, 30*time.Second)
	reg, _ := idle.waitEvent(b, i, "registered", nil, 30*time.Second)
	f.StartToRegister2 = reg.At.Sub(idle.Started)
	f.RSSIdle, f.RSSIdleRefreshed = idleMemory(b, sp.k, idle.Pid(), reg.At, &f)
	idle.stop()

	args := append([]string{"call", fmt.Sprintf("sip:%s@%s", farUser, sp.domain), "--duration", fmt.Sprintf("%ds", secs+15)}, audioArgs...)
	c := sp.start(b, "softphone call", sp.nextTOTP(b), diagEnv("call", 2*time.Second, time.Duration(secs-2)*time.Second), args...)
	defer c.stop()
	li, i := c.waitEvent(b, 0, "logged_in", nil, 30*time.Second)
	reg, i = c.waitEvent(b, i, "registered", nil, 30*time.Second)
	act, _ := c.waitEvent(b, i, "call_state", map[string]any{"state": "active"}, 20*time.Second)
	f.Login = li.At.Sub(c.Started)
	f.LoginToRegister = reg.At.Sub(li.At)
	f.StartToRegister = reg.At.Sub(c.Started)
	f.Dial = act.At.Sub(reg.At)
	if act.JSON["srtp"] == "" || act.JSON["srtp"] == nil {
		f.Notes = append(f.Notes, "softphone call is NOT encrypted")
	} else {
		f.Notes = append(f.Notes, fmt.Sprintf("softphone call: %v, %v", act.JSON["srtp"], act.JSON["codec"]))
	}
	measureCall(b, c.Pid(), secs, &f)
	if _, err := io.WriteString(c.stdin, `{"command":"hangup"}`+"\n"); err != nil {
		b.Fatal(err)
	}
	c.waitEvent(b, 0, "call_ended", nil, 10*time.Second)
	if !c.wait(10 * time.Second) {
		f.Notes = append(f.Notes, "softphone call did not exit within 10 s of call_ended")
	}
	if st := c.events("call_stats"); len(st) > 0 {
		last := st[len(st)-1]
		f.Notes = append(f.Notes, fmt.Sprintf("softphone media: %v packets sent, %v received, %v lost",
			last["packets_sent"], last["packets_received"], last["packets_lost"]))
	} else {
		f.Notes = append(f.Notes, "softphone printed no call_stats")
	}
	return f
}

// farEndHeard says how much audio the far end decoded in the call just
// ended: the newest *-dec.wav its sndfile module wrote in dir. It proves
// that the measured client really sent media for the whole call.
func farEndHeard(dir, client string) string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*dec*.wav"))
	var newest string
	var newestAt time.Time
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.ModTime().After(newestAt) {
			newest, newestAt = p, st.ModTime()
		}
	}
	if newest == "" {
		return "far end wrote no recording of the " + client + " call"
	}
	secs, err := wavSeconds(newest)
	if err != nil {
		return fmt.Sprintf("far end recording of the %s call: %v", client, err)
	}
	return fmt.Sprintf("far end decoded %.1f s of audio from %s", secs, client)
}

// wavSeconds is the duration of a canonical PCM WAV file from its header
// and size (sndfile may not patch the data length until it closes).
func wavSeconds(path string) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var h [44]byte
	if _, err := io.ReadFull(f, h[:]); err != nil || string(h[0:4]) != "RIFF" || string(h[8:12]) != "WAVE" {
		return 0, errors.New("not a WAV file")
	}
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	byteRate := binary.LittleEndian.Uint32(h[28:32])
	if byteRate == 0 {
		return 0, errors.New("WAV header without byte rate")
	}
	return float64(st.Size()-44) / float64(byteRate), nil
}

// measureCall samples pid's CPU time and RSS during secs seconds of call.
func measureCall(b *testing.B, pid, secs int, f *figures) {
	b.Helper()
	m0, err := memory(pid)
	if err != nil {
		b.Fatal(err)
	}
	cpu0, err := cpuTime(pid)
	if err != nil {
		b.Fatal(err)
	}
	run0, err := onCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	end := t0.Add(time.Duration(secs) * time.Second)
	var sum, n int64
	tick := time.NewTicker(rssEvery)
	defer tick.Stop()
	for now := t0; now.Before(end); now = <-tick.C {
		m, err := memory(pid)
		if err != nil {
			b.Fatal(err)
		}
		f.RSSCallPeak = max(f.RSSCallPeak, m.RSS)
		sum += m.RSS
		n++
	}
	time.Sleep(time.Until(end))
	cpu1, err := cpuTime(pid)
	if err != nil {
		b.Fatal(err)
	}
	run1, err := onCPU(pid)
	if err != nil {
		b.Fatal(err)
	}
	f.Window = time.Since(t0)
	f.CPU = cpuSplit{User: cpu1.User - cpu0.User, Sys: cpu1.Sys - cpu0.Sys}
	f.OnCPU = run1 - run0
	m1, err := memory(pid)
	if err != nil {
		b.Fatal(err)
	}
	f.Switches, f.Threads = m1.Switches-m0.Switches, m1.Threads
	f.RSSCallEnd = m1
	f.RSSCallMean = sum / n
}

// row is one line of the comparison table.
type row struct {
	name     string
	sp, br   float64 // softphone and baresip (br < 0: no baresip figure)
	unit     string
	maxRatio float64 // target sp/br ≤ maxRatio; 0: none
	budget   float64 // target sp < budget; 0: none
	note     string
}

// cpuPerCall is the CPU time scaled to exactly secs seconds of call.
func (f figures) cpuPerCall(secs int) float64 {
	if f.Window <= 0 {
		return 0
	}
	return f.scale(f.CPU.Total().Seconds(), secs)
}

// scale scales v measured over the call window to exactly secs seconds.
func (f figures) scale(v float64, secs int) float64 {
	if f.Window <= 0 {
		return 0
	}
	return v * float64(secs) / f.Window.Seconds()
}

// format is the number format of the row's unit.
func (r row) format() string {
	if r.unit == "s" || r.unit == "s user" {
		return "%.2f %s"
	}
	if r.unit == "/s" {
		return "%.0f %s"
	}
	return "%.1f %s"
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
func mb(kb int64) float64        { return float64(kb) / 1024 }

func rows(sp, br figures, secs int) []row {
	return []row{
		{name: "start → REGISTER 200 (TLS)", sp: ms(sp.StartToRegister), br: ms(br.StartToRegister), unit: "ms", maxRatio: 1},
		{name: "  start → logged_in (2FA)", sp: ms(sp.Login), br: -1, unit: "ms", note: "argon2id password + file vault"},
		{name: "  logged_in → REGISTER 200", sp: ms(sp.LoginToRegister), br: ms(br.StartToRegister), unit: "ms", maxRatio: 1, note: "vs baresip start → 200"},
		{name: "  start → REGISTER 200, 2nd run", sp: ms(sp.StartToRegister2), br: -1, unit: "ms", note: "`answer`, recovery code"},
		{name: "dial → established", sp: ms(sp.Dial), br: ms(br.Dial), unit: "ms", maxRatio: 1},
		{name: "RSS idle (registered)", sp: mb(sp.RSSIdle.RSS), br: mb(br.RSSIdle.RSS), unit: "MB", maxRatio: 2,
			note: fmt.Sprintf("anon/file: softphone %.1f/%.1f, baresip %.1f/%.1f", mb(sp.RSSIdle.Anon), mb(sp.RSSIdle.File), mb(br.RSSIdle.Anon), mb(br.RSSIdle.File))},
		{name: "RSS idle, after a re-REGISTER", sp: mb(sp.RSSIdleRefreshed.RSS), br: mb(br.RSSIdleRefreshed.RSS), unit: "MB", maxRatio: 2,
			note: fmt.Sprintf("%v after registering for %v; anon/file: softphone %.1f/%.1f, baresip %.1f/%.1f", refreshedAt, regExpires,
				mb(sp.RSSIdleRefreshed.Anon), mb(sp.RSSIdleRefreshed.File), mb(br.RSSIdleRefreshed.Anon), mb(br.RSSIdleRefreshed.File))},
		{name: "  Go floor: sipgo REGISTER only", sp: mb(sp.GoFloorIdle.RSS), br: mb(br.RSSIdle.RSS), unit: "MB",
			note: fmt.Sprintf("testdata/floor, idle; anon/file %.1f/%.1f; the softphone holds %.1f MB above it", mb(sp.GoFloorIdle.Anon), mb(sp.GoFloorIdle.File), mb(sp.RSSIdle.RSS-sp.GoFloorIdle.RSS))},
		{name: "RSS in call (peak)", sp: mb(sp.RSSCallPeak), br: mb(br.RSSCallPeak), unit: "MB", maxRatio: 2,
			note: fmt.Sprintf("anon/file at call end: softphone %.1f/%.1f, baresip %.1f/%.1f", mb(sp.RSSCallEnd.Anon), mb(sp.RSSCallEnd.File), mb(br.RSSCallEnd.Anon), mb(br.RSSCallEnd.File))},
		{name: "  RSS in call (mean)", sp: mb(sp.RSSCallMean), br: mb(br.RSSCallMean), unit: "MB"},
		{name: "  VmHWM by idle time", sp: mb(sp.RSSIdle.HWM), br: mb(br.RSSIdle.HWM), unit: "MB", note: "peak RSS since exec"},
		{name: fmt.Sprintf("CPU in %d s SRTP call", secs), sp: sp.cpuPerCall(secs), br: br.cpuPerCall(secs),
			unit: "s", maxRatio: 1, note: "utime+stime, 10 ms ticks"},
		{name: "  on CPU (schedstat, exact)", sp: sp.scale(sp.OnCPU.Seconds(), secs), br: br.scale(br.OnCPU.Seconds(), secs),
			unit: "s", maxRatio: 1, note: "scheduler run time, not tick-sampled"},
		{name: "  of which user / system", sp: sp.scale(sp.CPU.User.Seconds(), secs), br: br.scale(br.CPU.User.Seconds(), secs), unit: "s user",
			note: fmt.Sprintf("system: softphone %.2f s, baresip %.2f s", sp.scale(sp.CPU.Sys.Seconds(), secs), br.scale(br.CPU.Sys.Seconds(), secs))},
		{name: "  context switches per second", sp: sp.scale(float64(sp.Switches), 1), br: br.scale(float64(br.Switches), 1), unit: "/s",
			note: fmt.Sprintf("threads: softphone %d, baresip %d", sp.Threads, br.Threads)},
		{name: "DESIGN: headless RSS idle", sp: mb(max(sp.RSSIdle.RSS, sp.RSSIdleRefreshed.RSS)), br: -1, unit: "MB", budget: 30},
		{name: "DESIGN: headless RSS in call", sp: mb(sp.RSSCallPeak), br: -1, unit: "MB", budget: 30},
	}
}

// printTable writes the comparison in a form a person reads.
func printTable(w io.Writer, sp, br figures, secs int, audioMode, loadBefore, loadAfter string) {
	fmt.Fprintf(w, "\nsoftphone vs baresip: same Kamailio (TLS), same far end (auto-answering baresip), SRTP G.711, %d s call\n", secs)
	fmt.Fprintf(w, "softphone audio: %s, null sink; baresip audio: the same WAV (aufile), no player\n", audioMode)
	if bin := os.Getenv("BENCH_SOFTPHONE_BIN"); bin != "" {
		fmt.Fprintf(w, "softphone binary: BENCH_SOFTPHONE_BIN=%s (not built from the tree; an installed copy of it is run)\n", bin)
	}
	if e := os.Getenv("BENCH_SOFTPHONE_ENV"); e != "" {
		fmt.Fprintf(w, "softphone run with BENCH_SOFTPHONE_ENV=%q\n", e)
	}
	fmt.Fprintf(w, "load average before: %s, after: %s (2 CPUs, shared machine)\n\n", loadBefore, loadAfter)
	fmt.Fprintf(w, "%-34s %11s %11s %8s  %-16s %s\n", "metric", "softphone", "baresip", "ratio", "target", "result")
	fmt.Fprintln(w, strings.Repeat("-", 96))
	for _, r := range rows(sp, br, secs) {
		brs, ratio, target, result := "-", "-", "", ""
		if r.br >= 0 {
			brs = fmt.Sprintf(r.format(), r.br, r.unit)
			if r.br > 0 {
				ratio = fmt.Sprintf("%.2f×", r.sp/r.br)
			}
		}
		switch {
		case r.maxRatio > 0:
			target = fmt.Sprintf("≤ %g× baresip", r.maxRatio)
			result = passFail(r.br > 0 && r.sp <= r.maxRatio*r.br || r.br == 0 && r.sp == 0)
		case r.budget > 0:
			target = fmt.Sprintf("< %g %s", r.budget, r.unit)
			result = passFail(r.sp < r.budget)
		}
		if r.note != "" {
			result = strings.TrimSpace(result + "  (" + r.note + ")")
		}
		fmt.Fprintf(w, "%-34s %11s %11s %8s  %-16s %s\n", r.name, fmt.Sprintf(r.format(), r.sp, r.unit), brs, ratio, target, result)
	}
	for _, n := range append(append([]string(nil), sp.Notes...), br.Notes...) {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintln(w)
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// reportMetrics reports the median of every figure over the iterations.
func reportMetrics(b *testing.B, sp, br []figures, secs int) {
	if len(sp) == 0 {
		return
	}
	med := func(get func(figures) float64, runs []figures) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	for _, m := range []struct {
		name string
		get  func(figures) float64
		both bool
	}{
		{"register-ms", func(f figures) float64 { return ms(f.StartToRegister) }, true},
		{"login-ms", func(f figures) float64 { return ms(f.Login) }, false},
		{"login-to-register-ms", func(f figures) float64 { return ms(f.LoginToRegister) }, false},
		{"dial-ms", func(f figures) float64 { return ms(f.Dial) }, true},
		{"rss-idle-MB", func(f figures) float64 { return mb(f.RSSIdle.RSS) }, true},
		{"rss-idle-refreshed-MB", func(f figures) float64 { return mb(f.RSSIdleRefreshed.RSS) }, true},
		{"go-floor-rss-idle-MB", func(f figures) float64 { return mb(f.GoFloorIdle.RSS) }, false},
		{"rss-call-MB", func(f figures) float64 { return mb(f.RSSCallPeak) }, true},
		{"cpu-call-s", func(f figures) float64 { return f.cpuPerCall(secs) }, true},
		{"oncpu-call-s", func(f figures) float64 { return f.scale(f.OnCPU.Seconds(), secs) }, true},
	} {
		b.ReportMetric(med(m.get, sp), "softphone-"+m.name)
		if m.both {
			b.ReportMetric(med(m.get, br), "baresip-"+m.name)
		}
	}
}
