package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// fakeMissedPhone is a fakePhone that keeps missed calls like phone.Agent.
type fakeMissedPhone struct {
	*fakePhone
	missed []phone.MissedCall
}

var _ MissedCallsPhone = (*phone.Agent)(nil)

func (f *fakeMissedPhone) take(id string) {
	for i, m := range f.missed {
		if m.ID == id {
			f.missed = append(f.missed[:i:i], f.missed[i+1:]...)
		}
	}
	f.emit(phone.MissedCallsChanged{Calls: f.missed})
}

func (f *fakeMissedPhone) CallBack(_ context.Context, id string) (string, error) {
	f.record("CallBack %s", id)
	f.take(id)
	return "c9", nil
}

func (f *fakeMissedPhone) DismissMissed(id string) error {
	f.record("DismissMissed %s", id)
	f.take(id)
	return nil
}

func TestMissedCallsMaskedWithCallBack(t *testing.T) {
	fp := &fakeMissedPhone{fakePhone: newFakePhone().loggedIn()}
	d, clk := newTestDesktop(t, fp)
	v := d.Main.Missed
	if v == nil {
		t.Fatal("no missed-call list for a phone that keeps them")
	}
	if v.Root.Visible() {
		t.Fatal("empty list shown")
	}
	fp.missed = []phone.MissedCall{
		{ID: "m2", Number: "+4920112345678", At: clk.t, Count: 2, Unavailable: true},
		{ID: "m1", Number: "+4930987654321", At: clk.t.Add(-time.Minute), Count: 1},
	}
	fp.emit(phone.MissedCallsChanged{Calls: fp.missed})
	if !v.Root.Visible() || v.Title.Text != "Missed calls (2)" {
		t.Fatalf("title %q visible %v", v.Title.Text, v.Root.Visible())
	}
	row := v.List.CreateItem().(*fyne.Container)
	v.fillRow(v.Entries[0], row)
	label := row.Objects[0].(*widget.Label).Text
	if strings.Contains(label, "12345678") || !strings.Contains(label, "78") || !strings.Contains(label, "×2") ||
		!strings.Contains(label, "(not available)") {
		t.Fatalf("row %q: want the number masked, the count and the refusal", label)
	}
	// One click calls back; the keyboard calls back the newest.
	btns := row.Objects[1].(*fyne.Container)
	btns.Objects[0].(*tipButton).OnTapped()
	if got := fp.requests(); got[len(got)-1] != "CallBack m2" {
		t.Fatalf("requests %v", got)
	}
	if !d.shortcut(ShortcutCallBack) {
		t.Fatal("shortcut not handled")
	}
	if got := fp.requests(); got[len(got)-1] != "CallBack m1" {
		t.Fatalf("requests %v", got)
	}
	if v.Root.Visible() || d.shortcut(ShortcutCallBack) {
		t.Fatal("list still shown, or shortcut handled, with no missed calls")
	}
}
