package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// reviewPhone is a logged-in supervisor's phone with central review.
type reviewPhone struct {
	*fakePhone
	can     bool
	mu      sync.Mutex
	items   []ReviewItem
	queries []ReviewQuery
	calls   []string
	holdErr error
	upload  UploadState
}

func (r *reviewPhone) CanReview() bool { return r.can }

func (r *reviewPhone) ReviewList(_ context.Context, q ReviewQuery) ([]ReviewItem, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries = append(r.queries, q)
	var out []ReviewItem
	for _, it := range r.items {
		if (q.Agent == "" || it.Agent == q.Agent) && (q.All || !it.Resolved) {
			out = append(out, it)
		}
	}
	return out, nil
}

func (r *reviewPhone) log(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

func (r *reviewPhone) ReviewPlay(_ context.Context, id string) error {
	r.log("play %s", id)
	return nil
}

func (r *reviewPhone) ReviewNote(_ context.Context, id, note string, resolve bool) error {
	r.log("note %s %q %v", id, note, resolve)
	if resolve {
		r.mu.Lock()
		for i := range r.items {
			if r.items[i].ID == id {
				r.items[i].Resolved = true
			}
		}
		r.mu.Unlock()
	}
	return nil
}

func (r *reviewPhone) ReviewHold(_ context.Context, id, reason string, on bool) error {
	r.log("hold %s %q %v", id, reason, on)
	return r.holdErr
}

func (r *reviewPhone) ReviewDelete(_ context.Context, id, reason string) error {
	r.log("delete %s %q", id, reason)
	return nil
}

func (r *reviewPhone) UploadStatus() (UploadState, bool) { return r.upload, true }

func newReviewPhone(can bool) *reviewPhone {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return &reviewPhone{fakePhone: newFakePhone().loggedIn(), can: can, items: []ReviewItem{
		{ID: "r1", Agent: "alice", Started: start, Duration: 95 * time.Second, Reasons: []string{"customer complaint"}},
		{ID: "r2", Agent: "bob", Started: start.Add(time.Hour), Duration: 30 * time.Second, Reasons: []string{"rude"}},
	}}
}

func TestReviewTabOnlyForReviewers(t *testing.T) {
	d, _ := newTestDesktop(t, newReviewPhone(false))
	if d.Main.Review != nil || len(d.Main.Tabs.Items) != 3 {
		t.Fatalf("an agent sees the Review tab (%d tabs)", len(d.Main.Tabs.Items))
	}
	d2, _ := newTestDesktop(t, newReviewPhone(true))
	if d2.Main.Review == nil || d2.Main.Tabs.Items[len(d2.Main.Tabs.Items)-1].Text != "Review" {
		t.Fatal("a supervisor has no Review tab")
	}
}

func TestReviewFilterPlayResolve(t *testing.T) {
	p := newReviewPhone(true)
	d, _ := newTestDesktop(t, p)
	v := d.Main.Review
	test.Tap(v.RefreshBtn)
	if len(v.items) != 2 || v.Message.Text != "2 recordings" {
		t.Fatalf("items %d, message %q", len(v.items), v.Message.Text)
	}
	if !v.PlayBtn.Disabled() {
		t.Fatal("play enabled with nothing selected")
	}

	test.Type(v.Agent, "alice")
	test.Type(v.From, "2026-03-01")
	test.Tap(v.RefreshBtn)
	q := p.queries[len(p.queries)-1]
	if q.Agent != "alice" || q.From.Format(time.DateOnly) != "2026-03-01" || len(v.items) != 1 {
		t.Fatalf("query %+v, %d items", q, len(v.items))
	}
	test.Type(v.To, "March 2")
	test.Tap(v.RefreshBtn)
	if len(p.queries) != 2 || v.Message.Text != "March 2: use YYYY-MM-DD" {
		t.Fatalf("bad date not reported: %q", v.Message.Text)
	}
	v.To.SetText("")

	v.List.Select(0)
	if v.PlayBtn.Disabled() || !v.Resolve.Disabled() || !v.Del.Disabled() {
		t.Fatal("play needs a selection; resolve and delete also a typed note or reason")
	}
	test.Tap(v.PlayBtn)
	test.Type(v.Note, "listened, agent was fine")
	if v.Resolve.Disabled() {
		t.Fatal("resolve still disabled with a note")
	}
	test.Tap(v.Resolve)
	want := []string{"play r1", `note r1 "listened, agent was fine" true`}
	if fmt.Sprint(p.calls) != fmt.Sprint(want) {
		t.Fatalf("calls %q, want %q", p.calls, want)
	}
	if len(v.items) != 0 || v.Note.Text != "" {
		t.Fatalf("resolved recording still listed (%d) or note kept %q", len(v.items), v.Note.Text)
	}
}

func TestReviewHoldErrorShown(t *testing.T) {
	p := newReviewPhone(true)
	p.holdErr = errors.New("your role does not allow this")
	d, _ := newTestDesktop(t, p)
	v := d.Main.Review
	test.Tap(v.RefreshBtn)
	v.List.Select(1)
	test.Type(v.Note, "case 7")
	test.Tap(v.HoldBtn)
	if p.calls[0] != `hold r2 "case 7" true` || v.Message.Text == "Legal hold set." {
		t.Fatalf("calls %q, message %q", p.calls, v.Message.Text)
	}
}

func TestUploadStatusLine(t *testing.T) {
	p := newReviewPhone(false)
	p.upload = UploadState{Pending: 2, Retrying: true, LastError: "connection refused"}
	d, _ := newTestDesktop(t, p)
	d.tick()
	if got := d.Main.Uploads.Text; got != "Uploads: 2 waiting, store unreachable, retrying" {
		t.Fatalf("status %q", got)
	}
	p.upload = UploadState{}
	d.tick()
	if got := d.Main.Uploads.Text; got != "Uploads: all recordings stored centrally" {
		t.Fatalf("status %q", got)
	}
}
