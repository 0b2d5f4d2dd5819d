package phone

import (
	"context"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

// Two agents watch each other through Kamailio's presence server: the
// agent state travels as RFC 3856 presence, calls as RFC 4235 dialog
// state (BLF), with baresip as the customer.
func TestColleaguePresenceAndBLFThroughKamailio(t *testing.T) {
	checkLeaks(t)
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "pw1", "2000": "pw2", "3000": "pw3"}, testpeer.KamailioOptions{Presence: true})
	testpeer.StartBaresip(t, k, "3000", "pw3", testpeer.BaresipOptions{AutoAnswer: true})
	mk := func(user, colleague string) *Agent {
		return newAgent(t, k, user, func(c *Config) {
			c.Settings.Workday.Presence = true
			c.Settings.Workday.Colleagues = []string{colleague}
			c.Workday = testPolicy{}
		}, nil)
	}
	watcher, busy := mk("1000", "2000"), mk("2000", "1000")
	ev := watchAgent(t, watcher)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for a, pw := range map[*Agent]string{watcher: "pw1", busy: "pw2"} {
		if err := a.Register(ctx, pw); err != nil {
			t.Fatal(err)
		}
	}
	// Each expectation is met by a NOTIFY after the previous one.
	mark := 0
	colleague := func(what string, match func(Colleague) bool) {
		t.Helper()
		n := 0
		ev.waitAfter(mark, t, what, 15*time.Second, func(e Event) bool {
			n++
			c, ok := e.(ColleagueChanged)
			return ok && c.Colleague.User == "2000" && match(c.Colleague)
		})
		mark += n
	}
	colleague("available and idle", func(c Colleague) bool { return c.Open && c.Note == "available" && c.Dialog == DialogIdle })
	if err := busy.SetAgentState(AgentNotReady, "break"); err != nil {
		t.Fatal(err)
	}
	colleague("not ready", func(c Colleague) bool { return !c.Open && c.Note == "not_ready" })
	if err := busy.SetAgentState(AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}
	id, err := busy.Dial(ctx, "3000")
	if err != nil {
		t.Fatal(err)
	}
	colleague("in a call", func(c Colleague) bool { return c.Dialog == DialogInCall })
	if err := busy.Hangup(id); err != nil {
		t.Fatal(err)
	}
	colleague("idle again", func(c Colleague) bool { return c.Dialog == DialogIdle && c.Open })
}
