package phone

import (
	"context"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

// With a presence lifetime of a few seconds, both agents keep their
// publications and subscriptions refreshed on Kamailio's presence server:
// a colleague's change well after the original expiry still arrives.
func TestColleaguePresenceOutlivesExpiryThroughKamailio(t *testing.T) {
	checkLeaks(t)
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	const life = 6 * time.Second
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "pw1", "2000": "pw2"}, testpeer.KamailioOptions{Presence: true})
	mk := func(user, colleague string) *Agent {
		return newAgent(t, k, user, func(c *Config) {
			c.Settings.Workday.Presence = true
			c.Settings.Workday.Colleagues = []string{colleague}
			c.Workday = testPolicy{}
			c.PresenceExpires = life
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
	mark := 0
	colleague := func(what string, match func(Colleague) bool) {
		t.Helper()
		n := 0
		ev.waitAfter(mark, t, what, 10*time.Second, func(e Event) bool {
			n++
			c, ok := e.(ColleagueChanged)
			return ok && c.Colleague.User == "2000" && match(c.Colleague)
		})
		mark += n
	}
	colleague("available", func(c Colleague) bool { return c.Open && c.Note == "available" })
	time.Sleep(2*life + life/2) // past two lifetimes of the first subscription and publication
	if err := busy.SetAgentState(AgentNotReady, "break"); err != nil {
		t.Fatal(err)
	}
	colleague("not ready after the original expiry", func(c Colleague) bool { return !c.Open && c.Note == "not_ready" })
	time.Sleep(life)
	if err := busy.SetAgentState(AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}
	colleague("available again", func(c Colleague) bool { return c.Open && c.Note == "available" })
}

// After the PBX restarts (every flow and subscription is lost), both
// agents re-register, subscribe again and republish: a later change of the
// colleague still arrives, long before any refresh would have been due.
func TestColleaguePresenceAfterKamailioRestart(t *testing.T) {
	checkLeaks(t)
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "pw1", "2000": "pw2"}, testpeer.KamailioOptions{Presence: true})
	mk := func(user, colleague string) *Agent {
		return newAgent(t, k, user, func(c *Config) {
			c.Settings.Workday.Presence = true
			c.Settings.Workday.Colleagues = []string{colleague}
			c.Workday = testPolicy{}
		}, nil)
	}
	watcher, busy := mk("1000", "2000"), mk("2000", "1000")
	ev, bev := watchAgent(t, watcher), watchAgent(t, busy)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for a, pw := range map[*Agent]string{watcher: "pw1", busy: "pw2"} {
		if err := a.Register(ctx, pw); err != nil {
			t.Fatal(err)
		}
	}
	isColleague := func(match func(Colleague) bool) func(Event) bool {
		return func(e Event) bool {
			c, ok := e.(ColleagueChanged)
			return ok && c.Colleague.User == "2000" && match(c.Colleague)
		}
	}
	ev.waitFor(t, "available", 10*time.Second, isColleague(func(c Colleague) bool { return c.Open && c.Note == "available" }))
	registered := func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && r.Registration.State == RegRegistered
	}
	mark, bmark := ev.mark(), bev.mark()
	k.Restart(t)
	ev.waitAfter(mark, t, "watcher registered again", 30*time.Second, registered)
	bev.waitAfter(bmark, t, "colleague registered again", 30*time.Second, registered)
	mark = ev.mark()
	if err := busy.SetAgentState(AgentNotReady, "break"); err != nil {
		t.Fatal(err)
	}
	ev.waitAfter(mark, t, "not ready after the restart", 15*time.Second, isColleague(func(c Colleague) bool { return !c.Open && c.Note == "not_ready" }))
}
