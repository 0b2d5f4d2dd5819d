package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"softphone/netcheck"
	"softphone/phone"
)

var _ NetworkChecker = (*phone.Agent)(nil)

// checkPhone is a fakePhone that runs a canned network check.
type checkPhone struct {
	*fakePhone
	result netcheck.Result
	err    error
	runs   int
}

func (p *checkPhone) CheckNetwork(context.Context) (netcheck.Result, error) {
	p.record("CheckNetwork")
	p.runs++
	return p.result, p.err
}

func fairResult() netcheck.Result {
	return netcheck.Result{
		Verdict:  netcheck.VerdictFair,
		Media:    netcheck.ProbeResult{Sent: 50, Received: 49, LossPercent: 2, RTT: netcheck.Duration(42 * time.Millisecond), Jitter: netcheck.Duration(3 * time.Millisecond)},
		NAT:      netcheck.NATResult{Type: netcheck.NATEndpointIndependent},
		Findings: []netcheck.Finding{{Verdict: netcheck.VerdictFair, Key: netcheck.MsgLossSome, Args: map[string]any{"Loss": 2.0}}},
	}
}

// TestNetcheckRunsAfterLogin: the check runs by itself once the agent has
// logged in, before any call, and shows verdict, figures and findings (in
// German too); the button and its shortcut run it again.
func TestNetcheckRunsAfterLogin(t *testing.T) {
	p := &checkPhone{fakePhone: newFakePhone(), result: fairResult()}
	d, _ := newTestDesktop(t, p)
	test.Type(d.Login.Profile, "alice")
	test.Type(d.Login.Password, "pw")
	test.Type(d.Login.Code, "000000")
	d.Login.Code.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	v := d.Main.Netcheck
	if v == nil {
		t.Fatal("no network check for a phone that runs it")
	}
	if p.runs != 1 {
		t.Fatalf("check ran %d times after login, want 1", p.runs)
	}
	if v.Verdict.Text != "Network fair" || v.Verdict.Importance != widget.WarningImportance {
		t.Errorf("verdict %q (%v)", v.Verdict.Text, v.Verdict.Importance)
	}
	if want := "Round trip 42.0 ms · loss 2.0 % · jitter 3.0 ms · behind a NAT (direct media possible)"; v.Figures.Text != want {
		t.Errorf("figures %q, want %q", v.Figures.Text, want)
	}
	if v.Findings.Text != "• Some packets are lost (2 %)." {
		t.Errorf("findings %q", v.Findings.Text)
	}

	test.Tap(v.Button)
	if p.runs != 2 {
		t.Fatalf("button: %d runs", p.runs)
	}
	typeShortcut(d, ShortcutNetcheck)
	if p.runs != 3 {
		t.Fatalf("shortcut: %d runs", p.runs)
	}

	if err := setLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	p.result.Verdict = netcheck.VerdictPoor
	test.Tap(v.Button)
	if v.Verdict.Text != "Netzwerk schlecht" || !strings.Contains(v.Findings.Text, "Einige Pakete gehen verloren (2 %).") {
		t.Errorf("German: %q / %q", v.Verdict.Text, v.Findings.Text)
	}
}

// TestNetcheckError: a failed check says so and can be retried.
func TestNetcheckError(t *testing.T) {
	p := &checkPhone{fakePhone: newFakePhone().loggedIn(), err: errors.New("no route to host")}
	d, _ := newTestDesktop(t, p)
	v := d.Main.Netcheck
	if v.Verdict.Text != "Network not checked yet" {
		t.Errorf("before a run: %q", v.Verdict.Text)
	}
	test.Tap(v.Button)
	if !strings.HasPrefix(v.Verdict.Text, "The network check failed: ") || v.Verdict.Importance != widget.DangerImportance {
		t.Errorf("error: %q", v.Verdict.Text)
	}
	if v.Button.Disabled() {
		t.Error("button stays disabled after a failure")
	}
}

// TestNetcheckFindingKeysTranslated: every message key netcheck emits is in
// both translation files (they reach lang.L as variables).
func TestNetcheckFindingKeysTranslated(t *testing.T) {
	en, de := readTranslations(t, "en"), readTranslations(t, "de")
	for _, k := range []string{netcheck.MsgPBXUnreachable, netcheck.MsgPBXSlow, netcheck.MsgUDPBlocked, netcheck.MsgNoRelay,
		netcheck.MsgTURNFailed, netcheck.MsgLossHigh, netcheck.MsgLossSome, netcheck.MsgJitterHigh, netcheck.MsgRTTHigh,
		netcheck.MsgSymmetricNAT, netcheck.MsgAllGood} {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %q", k)
		}
		if de[k] == "" {
			t.Errorf("de lacks %q", k)
		}
	}
}
