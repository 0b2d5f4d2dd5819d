//go:build linux

package phone

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"softphone/internal/testpeer"
	"softphone/sip"
)

// TestSleepResume: the phone runs as a child process registered at
// Kamailio; the test stops it (SIGSTOP, as a laptop lid would) for 5 s and
// continues it. The phone must notice the clock jump and register again on
// a new connection within 2 s of resuming — seen in Kamailio's location
// table (a new contact).
func TestSleepResume(t *testing.T) {
	if testpeer.InChild() {
		sleepResumeChild(t)
		return
	}
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw"})
	child := testpeer.StartChild(t, "", map[string]string{
		"RESUMETEST_SERVER": k.Addr, "RESUMETEST_CA": k.CAFile, "RESUMETEST_DOMAIN": k.Domain,
	})
	m := regexp.MustCompile(`RESUMETEST: pid (\d+) registered`).FindStringSubmatch(child.WaitLog(t, `RESUMETEST: pid \d+ registered`, 20*time.Second))
	pid, _ := strconv.Atoi(m[1])
	before := k.Contacts(t, "1000")
	if len(before) == 0 {
		t.Fatal("not registered before the pause")
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	resumed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	var after []string
	for time.Since(resumed) < 10*time.Second {
		after = k.Contacts(t, "1000")
		if len(after) > 0 && !slices.Contains(after, before[0]) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	took := time.Since(resumed)
	t.Logf("registered on a new connection %v after resuming (bound 2 s): %v → %v", took.Round(time.Millisecond), before, after)
	if slices.Contains(after, before[0]) || len(after) == 0 {
		t.Fatalf("no new registration within 10 s of resuming: %v → %v", before, after)
	}
	if took > 2*time.Second {
		t.Errorf("re-registered %v after resuming, want ≤ 2 s", took)
	}
	child.Wait(t, 20*time.Second)
}

// sleepResumeChild is the phone: register, then wait for the re-register
// the pause causes.
func sleepResumeChild(t *testing.T) {
	roots := envRoots(t, "RESUMETEST_CA")
	s := testSettings()
	s.Account.Server = os.Getenv("RESUMETEST_SERVER")
	s.Account.User = "1000"
	s.Account.Domain = os.Getenv("RESUMETEST_DOMAIN")
	s.Account.Expires = 60 * time.Second
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := New(Config{Settings: s, RootCAs: roots, Logger: log, Endpoints: &toneEndpoints{hz: 1000, sink: &pcmSink{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ev := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := a.Register(ctx, "agentpw"); err != nil {
		t.Fatalf("register: %v", err)
	}
	mark := ev.mark()
	t.Logf("RESUMETEST: pid %d registered", os.Getpid())
	ev.waitAfter(mark, t, "resume noticed", 30*time.Second, func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && errors.Is(r.Registration.Err, sip.ErrResumed)
	})
	mark = ev.mark()
	ev.waitAfter(mark, t, "registered again", 10*time.Second, func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && r.Registration.State == RegRegistered
	})
	t.Log("RESUMETEST: registered again")
	time.Sleep(3 * time.Second) // the parent reads Kamailio's bindings meanwhile
}
