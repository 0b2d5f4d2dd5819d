package ui

import (
	"testing"

	"softphone/phone"
)

func TestSupervisorCommandShownTruthfully(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	m := d.Main
	if m.Supervisor.Visible() {
		t.Fatal("supervisor note shown before any command")
	}
	p.emit(phone.SupervisorActed{Supervisor: "Sam Supervisor", On: false, CallIDs: []string{"c1"}})
	if !m.Supervisor.Visible() || m.Supervisor.Text != "Recording switched off by supervisor Sam Supervisor" {
		t.Fatalf("note %q", m.Supervisor.Text)
	}
	p.emit(phone.SupervisorActed{Refused: "replayed"})
	if m.Supervisor.Text != "A supervisor command was refused: replayed" {
		t.Fatalf("note %q", m.Supervisor.Text)
	}
	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	p.emit(phone.SupervisorActed{Supervisor: "Sam", On: true})
	if d.Main.Supervisor.Text != "Aufzeichnung von Supervisor Sam eingeschaltet" {
		t.Fatalf("German note %q", d.Main.Supervisor.Text)
	}
}
