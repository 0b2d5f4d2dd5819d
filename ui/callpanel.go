package ui

import (
	"fmt"
	"softphone/assets"
	"softphone/phone"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// CallPanel: one call's view.

// CallPanel shows one call: a big state header, who and which direction,
// the timer, the encryption badge or warning, quality, and the controls.
type CallPanel struct {
	d    *Desktop
	call phone.CallInfo
	// Root is the panel's content.
	Root *fyne.Container

	// State is the big header ("Incoming call", "Connected", …).
	State     *canvas.Text
	Direction *widget.Label
	DirIcon   *widget.Icon
	Number    *widget.Label
	Timer     *canvas.Text
	// Ringing is shown while an incoming call waits to be answered.
	Ringing *fyne.Container
	// Secure is the green lock badge when SRTP protects the media.
	Secure *pill
	// Insecure is the red "NOT ENCRYPTED" banner.
	Insecure *fyne.Container
	// InsecureText is the banner's text.
	InsecureText *canvas.Text
	// QualityBanner warns live that the line is bad (ui/quality.go).
	QualityBanner *QualityBanner
	Quality       *widget.Label
	// Media names the negotiated SRTP suite and codec.
	Media *widget.Label
	// MicLevel and SpeakerLevel are VU meters (0..1); shown only when the
	// phone reports levels.
	MicLevel     *widget.ProgressBar
	SpeakerLevel *widget.ProgressBar
	levelRow     *fyne.Container

	Answer   *tipButton
	Decline  *tipButton
	Hangup   *tipButton
	Hold     *tipButton
	Mute     *tipButton
	Transfer *tipButton
	Keypad   *tipButton

	// Transfer row: target entry and confirm.
	TransferRow    *fyne.Container
	TransferTarget *shortcutEntry
	TransferGo     *widget.Button
	// Consultation (attended transfer); nil unless the phone can consult.
	Consulting *consultControls
	// DTMF keypad (hidden until Keypad is pressed).
	DTMFPad  *fyne.Container
	DTMFKeys []*padKey
	DTMFSent *widget.Label
	DTMFLog  *widget.Label
	// Message shows why the last action failed.
	Message *widget.Label

	focusBar *canvas.Rectangle
	sent     string
	received string
}

func newCallPanel(d *Desktop, c phone.CallInfo) *CallPanel {
	p := &CallPanel{d: d, call: c}
	p.State = heading("", 1.8)
	p.DirIcon = widget.NewIcon(nil)
	p.Direction = widget.NewLabel("")
	p.Number = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.Number.SizeName = theme.SizeNameSubHeadingText
	p.Timer = canvas.NewText("00:00", theme.Color(theme.ColorNameForeground))
	p.Timer.TextSize = theme.TextSize() * 1.8
	p.Timer.TextStyle.Monospace = true
	p.Timer.Alignment = fyne.TextAlignTrailing

	ringIcon := widget.NewIcon(theme.NewWarningThemedResource(theme.VolumeUpIcon()))
	ringText := widget.NewLabelWithStyle(lang.L("Ringing — answer or decline"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	ringText.Importance = widget.WarningImportance
	p.Ringing = container.NewHBox(ringIcon, ringText)

	p.buildSecurity()
	p.buildButtons()
	p.buildTransferAndKeypad()
	p.Message = widget.NewLabel("")
	p.Message.Importance = widget.DangerImportance
	p.Message.Wrapping = fyne.TextWrapWord
	p.Message.Hide()

	// The suite and codec have a line of their own: beside the number they
	// made a call widen the window (1100 → 1212 px, 1220 px in German).
	who := container.NewHBox(p.DirIcon, p.Direction, p.Number)
	header := container.NewBorder(nil, nil, nil, p.Timer, p.State)
	security := container.NewHBox(p.Secure, p.Quality)
	// A wrapping grid: the row breaks instead of clipping when the
	// window is narrow or the labels are long (German).
	buttons := container.NewGridWrap(fyne.NewSize(buttonWidth, p.Answer.MinSize().Height),
		p.Answer, p.Decline, p.Hangup, p.Hold, p.Mute, p.Transfer, p.Keypad)
	if p.Consulting = newConsultControls(p); p.Consulting != nil {
		p.TransferRow = container.NewBorder(nil, nil, nil, container.NewHBox(p.Consulting.Consult, p.TransferGo), p.TransferTarget)
		p.TransferRow.Hide()
	}
	p.QualityBanner = newQualityBanner()
	body := container.NewVBox(header, who, p.Media, p.Ringing, p.Insecure, p.QualityBanner.Root, security, p.levelRow, buttons, p.TransferRow, p.DTMFPad, p.DTMFLog, p.Message)
	if p.Consulting != nil {
		body.Add(p.Consulting.Row)
	}

	p.focusBar = canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
	p.focusBar.SetMinSize(fyne.NewSize(4, 0))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	bg.CornerRadius = theme.InputRadiusSize() * 2
	p.Root = container.NewStack(bg, container.NewBorder(nil, nil, p.focusBar, nil, container.NewPadded(body)))
	p.update(c)
	return p
}

// buildSecurity makes the encryption badge and banner, quality and level meters.
func (p *CallPanel) buildSecurity() {
	p.Secure = newPill(lang.L("Encrypted"), theme.NewInvertedThemedResource(assets.IconLock.Resource()), theme.ColorNameSuccess)
	bannerBg := canvas.NewRectangle(theme.Color(theme.ColorNameError))
	bannerBg.CornerRadius = theme.InputRadiusSize()
	p.InsecureText = canvas.NewText(lang.L("NOT ENCRYPTED"), theme.Color(theme.ColorNameForegroundOnError))
	p.InsecureText.TextStyle.Bold = true
	p.InsecureText.TextSize = theme.TextSize() * 1.3
	insecureWhy := canvas.NewText(lang.L("This call can be overheard. Do not discuss personal data."), theme.Color(theme.ColorNameForegroundOnError))
	insecureWhy.TextSize = theme.CaptionTextSize()
	warnIcon := widget.NewIcon(theme.NewInvertedThemedResource(assets.IconLockOpen.Resource()))
	p.Insecure = container.NewStack(bannerBg, container.NewPadded(container.NewBorder(nil, nil,
		container.NewCenter(warnIcon), nil, container.NewVBox(p.InsecureText, insecureWhy))))
	p.Quality = widget.NewLabel("")
	p.Quality.Importance = widget.LowImportance
	p.Media = widget.NewLabel("")
	p.Media.Importance = widget.LowImportance
	p.MicLevel = levelBar()
	p.SpeakerLevel = levelBar()
	p.levelRow = container.NewGridWithColumns(2,
		container.NewBorder(nil, nil, widget.NewIcon(assetIcon(assets.IconMic)), nil, p.MicLevel),
		container.NewBorder(nil, nil, widget.NewIcon(theme.VolumeUpIcon()), nil, p.SpeakerLevel))
	p.levelRow.Hide()
}

// buildButtons makes the call controls.
func (p *CallPanel) buildButtons() {
	d := p.d
	p.Answer = newTipButton(d.tips, lang.L("Answer"), assetIcon(assets.IconCall), tip(lang.L("Answer"), ShortcutAnswer), p.answer)
	p.Answer.Importance = widget.SuccessImportance
	p.Decline = newTipButton(d.tips, lang.L("Decline"), assetIcon(assets.IconCallEnd), tip(lang.L("Decline"), ShortcutHangup), p.decline)
	p.Decline.Importance = widget.DangerImportance
	p.Hangup = newTipButton(d.tips, lang.L("Hang up"), assetIcon(assets.IconCallEnd), tip(lang.L("Hang up"), ShortcutHangup), p.hangup)
	p.Hangup.Importance = widget.DangerImportance
	p.Hold = newTipButton(d.tips, lang.L("Hold"), theme.MediaPauseIcon(), tip(lang.L("Hold / resume"), ShortcutHold), p.toggleHold)
	p.Mute = newTipButton(d.tips, lang.L("Mute"), assetIcon(assets.IconMicOff), tip(lang.L("Mute / unmute microphone"), ShortcutMute), p.toggleMute)
	p.Transfer = newTipButton(d.tips, lang.L("Transfer"), theme.MailForwardIcon(), lang.L("Blind transfer to another number"), p.toggleTransfer)
	p.Keypad = newTipButton(d.tips, lang.L("Keypad"), assetIcon(assets.IconDialpad), lang.L("Send tones (DTMF)"), p.toggleKeypad)
}

// buildTransferAndKeypad makes the transfer row and the DTMF keypad.
func (p *CallPanel) buildTransferAndKeypad() {
	p.TransferTarget = newShortcutEntry(p.d.shortcut)
	p.TransferTarget.SetPlaceHolder(lang.L("Transfer to number"))
	p.TransferTarget.OnSubmitted = func(string) { p.transfer() }
	p.TransferTarget.onPaste = func(t string) {
		if c, err := phone.CleanNumber(t); err == nil {
			t = c
		}
		p.TransferTarget.SetText(t)
	}
	p.TransferGo = widget.NewButtonWithIcon(lang.L("Transfer"), theme.MailForwardIcon(), p.transfer)
	p.TransferGo.Importance = widget.HighImportance
	p.TransferRow = container.NewBorder(nil, nil, nil, p.TransferGo, p.TransferTarget)
	p.TransferRow.Hide()

	pad := container.NewGridWithColumns(6)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"} {
		key := newPadKey(k, "", p.sendDTMF)
		p.DTMFKeys = append(p.DTMFKeys, key)
		pad.Add(key)
	}
	p.DTMFSent = widget.NewLabel("")
	p.DTMFSent.TextStyle.Monospace = true
	p.DTMFPad = container.NewVBox(pad, p.DTMFSent)
	p.DTMFPad.Hide()
	p.DTMFLog = widget.NewLabel("")
	p.DTMFLog.Importance = widget.LowImportance
	p.DTMFLog.Hide()
}

// update shows a new state of the call.
func (p *CallPanel) update(c phone.CallInfo) {
	p.call = c
	if p.Consulting != nil {
		p.Consulting.update(c)
	}
	title, color := stateTitle(c)
	p.State.Text = title
	p.State.Color = theme.Color(color)
	p.State.Refresh()

	if c.Direction == phone.Incoming {
		p.DirIcon.SetResource(theme.NavigateBackIcon())
		p.Direction.SetText(lang.L("Incoming"))
	} else {
		p.DirIcon.SetResource(theme.NavigateNextIcon())
		p.Direction.SetText(lang.L("Outgoing"))
	}
	num := MaskNumber(callNumber(c))
	if c.RemoteName != "" {
		num = MaskName(c.RemoteName) + "  " + num
	}
	p.Number.SetText(num)

	incoming := c.State == phone.CallIncoming
	media := c.State == phone.CallActive || c.State == phone.CallHeld
	setVisible(p.Ringing, incoming)
	setVisible(p.Answer, incoming)
	setVisible(p.Decline, incoming)
	setVisible(p.Hangup, !incoming)
	setVisible(p.Hold, media)
	setVisible(p.Mute, media)
	setVisible(p.Transfer, media)
	setVisible(p.Keypad, media)
	if !media {
		p.TransferRow.Hide()
		p.DTMFPad.Hide()
	}

	// Encryption is only known once media is negotiated: before that say
	// nothing rather than raise a false alarm.
	setVisible(p.Secure, media && c.Encrypted())
	setVisible(p.Insecure, media && !c.Encrypted() && !c.Securing) // DTLS-SRTP handshake: nothing flows yet
	if c.Encrypted() {
		p.Secure.set(lang.L("Encrypted"), theme.NewInvertedThemedResource(assets.IconLock.Resource()), theme.ColorNameSuccess)
	}
	setVisible(p.Quality, media)
	setVisible(p.Media, media)
	setVisible(p.levelRow, media && p.d.levels != nil)
	p.Media.SetText(strings.Trim(securityLabel(c)+" · "+codecLabel(c), " ·"))

	if c.LocalHold {
		p.Hold.SetText(lang.L("Resume"))
		p.Hold.SetIcon(theme.MediaPlayIcon())
		p.Hold.Importance = widget.WarningImportance
	} else {
		p.Hold.SetText(lang.L("Hold"))
		p.Hold.SetIcon(theme.MediaPauseIcon())
		p.Hold.Importance = widget.MediumImportance
	}
	p.Hold.Refresh()
	if c.Muted {
		p.Mute.SetText(lang.L("Unmute"))
		p.Mute.SetIcon(assetIcon(assets.IconMic))
		p.Mute.Importance = widget.WarningImportance
	} else {
		p.Mute.SetText(lang.L("Mute"))
		p.Mute.SetIcon(assetIcon(assets.IconMicOff))
		p.Mute.Importance = widget.MediumImportance
	}
	p.Mute.Refresh()
	p.tick(p.d.opt.now())
}

// levelBar is a slim VU meter without a percentage.
func levelBar() *widget.ProgressBar {
	b := widget.NewProgressBar()
	b.TextFormatter = func() string { return "" }
	return b
}

// setLevels shows the microphone and speaker levels (0..1).
func (p *CallPanel) setLevels(mic, speaker float64) {
	clamp := func(v float64) float64 { return max(0, min(1, v)) }
	p.MicLevel.SetValue(clamp(mic))
	p.SpeakerLevel.SetValue(clamp(speaker))
}

// stateTitle is the header text and colour for a call's state.
func stateTitle(c phone.CallInfo) (string, fyne.ThemeColorName) {
	if c.Link == phone.LinkReconnecting && c.State != phone.CallEnded {
		// The network changed under the call: it is being moved (a second or two).
		return lang.L("Reconnecting…"), theme.ColorNameWarning
	}
	switch c.State {
	case phone.CallDialing:
		return lang.L("Calling…"), theme.ColorNameForeground
	case phone.CallRinging:
		return lang.L("Ringing…"), theme.ColorNameForeground
	case phone.CallIncoming:
		return lang.L("Incoming call"), theme.ColorNameWarning
	case phone.CallActive:
		return lang.L("Connected"), theme.ColorNameSuccess
	case phone.CallHeld:
		if c.RemoteHold && !c.LocalHold {
			return lang.L("Held by the other side"), theme.ColorNameWarning
		}
		return lang.L("On hold"), theme.ColorNameWarning
	case phone.CallEnded:
		return lang.L("Call ended"), theme.ColorNameDisabled
	}
	return c.State.String(), theme.ColorNameForeground
}

// setCurrent marks the panel the shortcuts act on.
func (p *CallPanel) setCurrent(on bool) {
	setVisible(p.focusBar, on)
}

// tick updates the timer: talk time once answered, waiting time before.
func (p *CallPanel) tick(now time.Time) {
	p.Timer.Text = talkTime(p.call, now)
	p.Timer.Refresh()
}

// talkTime formats the call's duration at now.
func talkTime(c phone.CallInfo, now time.Time) string {
	start := c.Answered
	if start.IsZero() {
		start = c.Created
	}
	if start.IsZero() {
		return "00:00"
	}
	end := now
	if !c.Ended.IsZero() {
		end = c.Ended
	}
	return formatDuration(end.Sub(start))
}

// formatDuration gives mm:ss, or h:mm:ss from one hour.
func formatDuration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// setStats shows loss, jitter, round-trip time and MOS.
func (p *CallPanel) setStats(s phone.CallStats) {
	loss := 0.0
	if total := s.PacketsReceived + s.PacketsLost; total > 0 {
		loss = 100 * float64(s.PacketsLost) / float64(total)
	}
	text := lang.L("Loss {{.Loss}} % · Jitter {{.Jitter}} ms", map[string]any{
		"Loss": fmt.Sprintf("%.1f", loss), "Jitter": fmt.Sprintf("%.0f", s.JitterMs),
	})
	if s.RTTMs > 0 {
		text += " · " + lang.L("RTT {{.RTT}} ms", map[string]any{"RTT": fmt.Sprintf("%.0f", s.RTTMs)})
	}
	if s.MOS > 0 {
		text += " · MOS " + fmt.Sprintf("%.1f", s.MOS)
	}
	if s.SRTPFailures > 0 || s.Dropped > 0 {
		// Packets we threw away: forged or replayed SRTP, or garbage sent to our port.
		text += " · " + lang.L("Rejected {{.SRTP}} SRTP, {{.Dropped}} invalid", map[string]any{
			"SRTP": s.SRTPFailures, "Dropped": s.Dropped,
		})
	}
	p.Quality.Importance = qualityImportance(loss, s.JitterMs, s.MOS)
	p.Quality.SetText(text)
}

// qualityImportance colours the quality line: fine, degraded, bad.
func qualityImportance(lossPct, jitterMs, mos float64) widget.Importance {
	switch {
	case lossPct >= 5 || jitterMs >= 60 || (mos > 0 && mos < 3.1):
		return widget.DangerImportance
	case lossPct >= 1 || jitterMs >= 30 || (mos > 0 && mos < 3.8):
		return widget.WarningImportance
	}
	return widget.SuccessImportance
}
