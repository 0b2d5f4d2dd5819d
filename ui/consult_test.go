package ui

import (
	"context"
	"testing"

	"softphone/phone"
)

// fakeConsultPhone records the attended-transfer requests.
type fakeConsultPhone struct{ *fakePhone }

var _ ConsultPhone = (*phone.Agent)(nil)

func (f *fakeConsultPhone) Consult(_ context.Context, id, target string) (string, error) {
	f.record("Consult %s %s", id, target)
	return "k1", nil
}

func (f *fakeConsultPhone) CompleteTransfer(_ context.Context, id, consultID string) error {
	f.record("CompleteTransfer %s %s", id, consultID)
	return nil
}

func (f *fakeConsultPhone) CancelConsult(_ context.Context, id, consultID string) error {
	f.record("CancelConsult %s %s", id, consultID)
	return nil
}

func TestConsultControls(t *testing.T) {
	fp := &fakeConsultPhone{newFakePhone().loggedIn()}
	d, clk := newTestDesktop(t, fp)
	fp.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	p := d.Main.Calls.Panels["c1"]
	if p.Consulting == nil || p.Consulting.Row.Visible() {
		t.Fatal("customer call: want a Consult button and no consult row")
	}
	p.toggleTransfer()
	p.TransferTarget.SetText("+49 201 555-0100")
	p.Consulting.Consult.OnTapped()
	if got := fp.requests(); got[len(got)-1] != "Consult c1 +492015550100" {
		t.Fatalf("requests %v", got)
	}
	consult := activeCall("k1", "AEAD_AES_128_GCM", clk.t)
	consult.ConsultFor = "c1"
	fp.emit(phone.CallChanged{Call: consult})
	k := d.Main.Calls.Panels["k1"].Consulting
	if !k.Row.Visible() {
		t.Fatal("consult call without connect / back buttons")
	}
	k.Complete.OnTapped()
	k.Cancel.OnTapped()
	got := fp.requests()
	if got[len(got)-2] != "CompleteTransfer c1 k1" || got[len(got)-1] != "CancelConsult c1 k1" {
		t.Fatalf("requests %v", got)
	}
}
