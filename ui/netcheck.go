package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/netcheck"
)

// NetworkChecker is implemented by a phone that runs the pre-shift network
// check (phone.Agent.CheckNetwork): loss, jitter and round trip to the
// STUN/TURN servers, the NAT type, TURN reachability, the PBX's round trip.
type NetworkChecker interface {
	CheckNetwork(ctx context.Context) (netcheck.Result, error)
}

// ShortcutNetcheck runs the network check again.
var ShortcutNetcheck = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}

// NetcheckView is the network check in the dialer column: a button, the
// verdict, the figures and what the verdict rests on. It runs by itself
// once after login, before the first call.
type NetcheckView struct {
	d  *Desktop
	nc NetworkChecker
	// Root is the view's content.
	Root fyne.CanvasObject

	Button   *tipButton
	Verdict  *widget.Label
	Figures  *widget.Label
	Findings *widget.Label
	// Result is the last check's result (nil before the first).
	Result  *netcheck.Result
	running bool
}

func newNetcheckView(d *Desktop, nc NetworkChecker) *NetcheckView {
	v := &NetcheckView{d: d, nc: nc}
	v.Button = newTipButton(d.tips, lang.L("Network check"), theme.ViewRefreshIcon(),
		tip(lang.L("Check loss, jitter, round trip and NAT to the phone system and the TURN relay"), ShortcutNetcheck), v.run)
	v.Verdict = widget.NewLabelWithStyle(lang.L("Network not checked yet"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.Figures = widget.NewLabel("")
	v.Figures.Wrapping = fyne.TextWrapWord
	v.Figures.Hide()
	v.Findings = widget.NewLabel("")
	v.Findings.Wrapping = fyne.TextWrapWord
	v.Findings.Hide()
	v.Root = container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, nil, v.Button, v.Verdict), v.Figures, v.Findings)
	return v
}

// run starts a check unless one is running. Fyne thread.
func (v *NetcheckView) run() {
	if v.running {
		return
	}
	v.d.touch()
	v.running = true
	v.Button.Disable()
	v.Verdict.Importance = widget.MediumImportance
	v.Verdict.SetText(lang.L("Checking the network…"))
	var r netcheck.Result
	v.d.do(func(ctx context.Context) (err error) {
		r, err = v.nc.CheckNetwork(ctx)
		return err
	}, func(err error) {
		v.running = false
		v.Button.Enable()
		if err != nil {
			v.Verdict.Importance = widget.DangerImportance
			v.Verdict.SetText(lang.L("The network check failed: {{.Error}}", map[string]any{"Error": errorText(err)}))
			v.Figures.Hide()
			v.Findings.Hide()
			return
		}
		v.show(r)
	})
}

// show displays a result. Fyne thread.
func (v *NetcheckView) show(r netcheck.Result) {
	v.Result = &r
	switch r.Verdict {
	case netcheck.VerdictGood:
		v.Verdict.Importance = widget.SuccessImportance
		v.Verdict.SetText(lang.L("Network good"))
	case netcheck.VerdictFair:
		v.Verdict.Importance = widget.WarningImportance
		v.Verdict.SetText(lang.L("Network fair"))
	default:
		v.Verdict.Importance = widget.DangerImportance
		v.Verdict.SetText(lang.L("Network poor"))
	}
	ms := func(d netcheck.Duration) string { return strconv.FormatFloat(d.Millis(), 'f', 1, 64) }
	rtt := r.Media.RTT
	if r.Media.Received == 0 {
		rtt = r.PBX.RTT
	}
	v.Figures.SetText(lang.L("Round trip {{.RTT}} ms · loss {{.Loss}} % · jitter {{.Jitter}} ms · {{.NAT}}", map[string]any{
		"RTT": ms(rtt), "Loss": strconv.FormatFloat(r.Media.LossPercent, 'f', 1, 64), "Jitter": ms(r.Media.Jitter),
		"NAT": natText(r.NAT.Type),
	}))
	v.Figures.Show()
	text := ""
	for i, f := range r.Findings {
		if i > 0 {
			text += "\n"
		}
		text += "• " + lang.L(f.Key, f.Args)
	}
	v.Findings.SetText(text)
	v.Findings.Show()
}

// natText names the NAT type for the agent.
func natText(n netcheck.NATType) string {
	switch n {
	case netcheck.NATNone:
		return lang.L("no NAT")
	case netcheck.NATEndpointIndependent:
		return lang.L("behind a NAT (direct media possible)")
	case netcheck.NATSymmetric:
		return lang.L("behind a symmetric NAT (relay needed)")
	case netcheck.NATBlocked:
		return lang.L("UDP blocked")
	}
	return lang.L("NAT type unknown")
}
