package ui

import (
	"testing"

	"softphone/phone"
)

func TestColleaguesShownFromEvents(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	v := d.Main.Colleagues
	if v.Root.Visible() {
		t.Fatal("colleague list shown before any state")
	}
	p.emit(phone.ColleagueChanged{Colleague: phone.Colleague{User: "2000", Open: true, Note: "available", Dialog: phone.DialogInCall}})
	p.emit(phone.ColleagueChanged{Colleague: phone.Colleague{User: "1001", Dialog: phone.DialogRinging}})
	if !v.Root.Visible() || len(v.Rows.Objects) != 2 {
		t.Fatalf("visible %v, %d rows", v.Root.Visible(), len(v.Rows.Objects))
	}
	if got := colleagueText(v.States["2000"]); got != "2000 — Available · In a call" {
		t.Fatalf("row %q", got)
	}
	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	if got := colleagueText(d.Main.Colleagues.States["1001"]); got != "1001 — Nicht verfügbar · Klingelt" {
		t.Fatalf("German row %q", got)
	}
}
