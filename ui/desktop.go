package ui

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"

	"softphone/assets"
	"softphone/phone"
)

// Window size: room for dialer, call panel and the sidebar without scrolling.
const (
	windowWidth  = 1100
	windowHeight = 720
)

// opTimeout bounds login, enrolment and call-control requests. Dial and
// Answer get the desktop's own context instead: cancelling it would cancel
// the call being set up.
const opTimeout = 30 * time.Second

// Screen is what the window shows.
type Screen int

// Screens.
const (
	ScreenLogin Screen = iota // password + code
	ScreenEnrol               // first-login TOTP enrolment
	ScreenLock                // idle lock
	ScreenMain                // the agent's working view
)

// String names the screen for logs.
func (s Screen) String() string {
	switch s {
	case ScreenLogin:
		return "login"
	case ScreenEnrol:
		return "enrol"
	case ScreenLock:
		return "lock"
	case ScreenMain:
		return "main"
	}
	return "unknown"
}

// Desktop is the agent's window and the state it shows.
type Desktop struct {
	app   fyne.App
	win   fyne.Window
	phone Phone
	opt   options
	log   *slog.Logger

	// Optional capabilities of the phone (nil when absent).
	demo     Demo
	devices  AudioDevices
	history  CallHistory
	settings SettingsStore
	ringer   Ringer
	levels   AudioLevels

	ctx    context.Context // ends with Close; parent of every phone request
	cancel context.CancelFunc
	wg     sync.WaitGroup // watch goroutine, ticker, phone requests
	closed sync.Once

	adapter *adapter
	tips    *tipLayer

	// Fyne thread only below.
	screen   Screen
	language string
	state    deskState
	profile  string // last profile typed on the login screen
	enrol    *enrolData
	ringing  bool
	lastUser time.Time // last input, for the idle lock
	// pendingLink is a clicked link waiting for the main view and the
	// registration (OpenLink).
	pendingLink string

	// Login, Enrol, Lock and Main are the current views; only the one for
	// the current screen is non-nil. Tests read their widgets.
	Login *LoginView
	Enrol *EnrolView
	Lock  *LockView
	Main  *MainView
}

// deskState is what the phone told us, as applied on the Fyne thread.
type deskState struct {
	login   phone.Login
	reg     phone.Registration
	calls   []phone.CallInfo // live calls, oldest first
	stats   map[string]phone.CallStats
	ended   []phone.CallInfo // calls ended in this session, newest first
	lastEnd *phone.CallInfo  // the last ended call, shown for a while
}

// enrolData survives a language switch during enrolment.
type enrolData struct {
	profile, password string
	enrolment         phone.Enrolment
	codes             []string // set once enrolment is complete
}

// New builds the desktop for p in a new window of a (the app's master
// window: closing it quits). It does not show it. Call it on the Fyne thread,
// e.g. in main before ShowAndRun.
func New(a fyne.App, p Phone, opts ...Option) *Desktop {
	o := defaultOptions()
	for _, fn := range opts {
		fn(&o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Desktop{
		app:      a,
		phone:    p,
		opt:      o,
		log:      o.logger.With("component", "ui"),
		ctx:      ctx,
		cancel:   cancel,
		tips:     newTipLayer(),
		profile:  o.profile,
		language: o.language,
		state:    deskState{stats: map[string]phone.CallStats{}},
	}
	d.demo, _ = p.(Demo)
	d.devices, _ = p.(AudioDevices)
	d.history, _ = p.(CallHistory)
	d.settings, _ = p.(SettingsStore)
	d.levels, _ = p.(AudioLevels)
	d.ringer = o.ringer
	if d.ringer == nil {
		d.ringer, _ = p.(Ringer)
	}
	if d.language == LangSystem && d.settings != nil {
		d.language = d.settings.Settings().UI.Language
	}
	if err := loadTranslations(); err != nil {
		d.log.Warn("load translations", "err", err)
	}
	if d.language != LangSystem {
		if err := setLanguage(d.language); err != nil {
			d.log.Warn("set language", "err", err)
			d.language = LangSystem
		}
	}
	d.adapter = newAdapter(o.statsRate, fyne.Do, func(ev phone.Event) {
		if d.ctx.Err() == nil {
			d.apply(ev)
		}
	}, func(m map[string]phone.CallStats) {
		if d.ctx.Err() == nil {
			d.applyStats(m)
		}
	})
	d.adapter.manual = o.sync

	d.win = a.NewWindow(lang.L("Softphone"))
	d.win.SetIcon(assets.AppIcon)
	d.win.SetMaster()
	d.win.Resize(fyne.NewSize(windowWidth, windowHeight))
	d.registerShortcuts()
	// The CRM card and the recording strip come with a phone that can do
	// them, unless the options give other panels.
	if d.opt.crm == nil {
		if cp, ok := p.(CRMPhone); ok {
			d.opt.crm = newCRMPanel(d, cp)
		}
	}
	if d.opt.recording == nil {
		if rp, ok := p.(RecordingPhone); ok {
			d.opt.recording = newRecordingPanel(d, rp)
		}
	}
	d.win.Canvas().SetOnTypedRune(func(rune) { d.touch() })
	d.win.Canvas().SetOnTypedKey(func(*fyne.KeyEvent) { d.touch() })
	d.win.SetCloseIntercept(d.closeRequested)

	snap := p.Snapshot()
	d.applySnapshot(snap)
	switch {
	case snap.Login.LoggedIn && snap.Login.Locked:
		d.showLock("")
	case snap.Login.LoggedIn:
		d.showMain()
	default:
		d.showLogin("", false)
	}
	d.adapter.start(ctx, p, &d.wg)
	d.startTicker()
	return d
}

// Window is the desktop's window.
func (d *Desktop) Window() fyne.Window { return d.win }

// Show shows the window.
func (d *Desktop) Show() { d.win.Show() }

// ShowAndRun shows the window and runs the app's event loop.
func (d *Desktop) ShowAndRun() { d.win.ShowAndRun() }

// Screen is the screen shown now. Call it on the Fyne thread.
func (d *Desktop) Screen() Screen { return d.screen }

// Language is the selected language (LangSystem follows the OS).
func (d *Desktop) Language() string { return d.language }

// Close stops watching the phone and the timers and closes the window. It
// does not log out (cmd decides). Close is idempotent; call it on the Fyne
// thread or after the app stopped.
func (d *Desktop) Close() error {
	d.closed.Do(func() {
		d.cancel()
		d.adapter.stop()
		d.setRinging(false)
		d.wg.Wait()
		d.win.Close()
	})
	return nil
}

// closeRequested asks before closing while calls are live.
func (d *Desktop) closeRequested() {
	if len(d.state.calls) == 0 {
		d.Close()
		return
	}
	d.confirm(lang.L("Quit?"), lang.L("A call is still in progress. Quitting ends it."), func(ok bool) {
		if ok {
			d.Close()
		}
	})
}

// SetLanguage switches the language and rebuilds the window.
func (d *Desktop) SetLanguage(code string) error {
	if err := setLanguage(code); err != nil {
		return err
	}
	d.language = code
	d.win.SetTitle(lang.L("Softphone"))
	d.rebuild()
	return nil
}

// rebuild recreates the current screen in the current language.
func (d *Desktop) rebuild() {
	switch d.screen {
	case ScreenLogin:
		if d.Login != nil {
			d.profile = d.Login.Profile.Text
		}
		d.showLogin("", false)
	case ScreenEnrol:
		d.showEnrolData()
	case ScreenLock:
		d.showLock("")
	case ScreenMain:
		tab := 0
		if d.Main != nil {
			tab = d.Main.Tabs.SelectedIndex()
		}
		d.showMain()
		d.Main.Tabs.SelectIndex(tab)
	}
}

// setContent puts a screen into the window with the tooltip layer above it.
func (d *Desktop) setContent(s Screen, obj fyne.CanvasObject) {
	d.screen = s
	if s != ScreenLogin {
		d.Login = nil
	}
	if s != ScreenEnrol {
		d.Enrol = nil
	}
	if s != ScreenLock {
		d.Lock = nil
	}
	if s != ScreenMain {
		d.Main = nil
	}
	d.tips.hide()
	d.win.SetContent(container.NewStack(obj, d.tips.root))
}

func (d *Desktop) showLogin(msg string, info bool) {
	d.Login = newLoginView(d)
	d.setContent(ScreenLogin, d.Login.Root)
	if msg != "" {
		d.Login.setMessage(msg, info)
	}
	d.Login.focus()
}

func (d *Desktop) showEnrolData() {
	d.Enrol = newEnrolView(d, d.enrol)
	d.setContent(ScreenEnrol, d.Enrol.Root)
	d.Enrol.focus()
}

func (d *Desktop) showLock(msg string) {
	d.Lock = newLockView(d)
	d.setContent(ScreenLock, d.Lock.Root)
	if msg != "" {
		d.Lock.setMessage(msg)
	}
	d.Lock.focus()
}

func (d *Desktop) showMain() {
	d.touch()
	m := newMainView(d)
	m.applyAll()
	d.setContent(ScreenMain, m.Root)
	d.Main = m
	// Ready to type a number; the call shortcuts still work from here.
	d.win.Canvas().Focus(m.Dialer.Number)
	d.dialPendingLink()
}

// loggedIn moves from login/enrolment to the main view.
func (d *Desktop) loggedIn() {
	d.enrol = nil
	d.applySnapshot(d.phone.Snapshot())
	d.showMain()
}

// lockNow locks the session and shows the lock screen. It never locks
// during a call: the agent must always be able to hang up.
func (d *Desktop) lockNow() {
	if len(d.state.calls) > 0 {
		return
	}
	d.phone.Lock()
	d.state.login.Locked = true
	d.showLock("")
}

// logout ends the session and returns to the login screen.
func (d *Desktop) logout() {
	d.do(func(ctx context.Context) error { return d.phone.Logout(ctx) }, func(err error) {
		if err != nil {
			d.log.Warn("logout", "err", err)
		}
		d.state.login = phone.Login{}
		d.showLogin("", false)
	})
}

// do runs a phone request off the Fyne thread and then done on it.
func (d *Desktop) do(req func(ctx context.Context) error, done func(error)) {
	run := func() {
		ctx, cancel := context.WithTimeout(d.ctx, opTimeout)
		defer cancel()
		err := req(ctx)
		if d.ctx.Err() != nil {
			return // closed meanwhile: the window is gone
		}
		if done != nil {
			fyne.Do(func() { done(err) })
		}
	}
	if d.opt.sync {
		run()
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		run()
	}()
}

// doLong is do for requests whose context must live as long as the
// desktop (Dial, Answer: cancelling would cancel the call).
func (d *Desktop) doLong(req func(ctx context.Context) error, done func(error)) {
	run := func() {
		err := req(d.ctx)
		if d.ctx.Err() != nil {
			return
		}
		if done != nil {
			fyne.Do(func() { done(err) })
		}
	}
	if d.opt.sync {
		run()
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		run()
	}()
}

// touch records agent input for the idle lock.
func (d *Desktop) touch() { d.lastUser = d.opt.now() }

// startTicker drives call timers and the idle lock once a second.
func (d *Desktop) startTicker() {
	if d.opt.sync {
		return // tests call tick directly
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		// The level meters are polled at the stats rate (~15 Hz); without
		// level support the channel stays nil and never fires.
		var levels <-chan time.Time
		if d.levels != nil {
			lt := time.NewTicker(d.opt.statsRate)
			defer lt.Stop()
			levels = lt.C
		}
		for {
			select {
			case <-d.ctx.Done():
				return
			case <-t.C:
				fyne.Do(d.tick)
			case <-levels:
				fyne.Do(d.pollLevels)
			}
		}
	}()
}

// pollLevels updates the VU meters of calls with media. Fyne thread.
func (d *Desktop) pollLevels() {
	if d.ctx.Err() != nil || d.levels == nil || d.Main == nil {
		return
	}
	for _, c := range d.state.calls {
		if c.State != phone.CallActive && c.State != phone.CallHeld {
			continue
		}
		if p := d.Main.Calls.Panels[c.ID]; p != nil {
			mic, spk := d.levels.AudioLevels(c.ID)
			p.setLevels(mic, spk)
		}
	}
}

// tick updates timers and locks an idle session. Fyne thread.
func (d *Desktop) tick() {
	if d.ctx.Err() != nil {
		return
	}
	now := d.opt.now()
	if d.Main != nil {
		d.Main.tick(now)
	}
	d.panelTick(now)
	if d.screen == ScreenMain && d.opt.idleLock > 0 && len(d.state.calls) == 0 &&
		now.Sub(d.lastUser) >= d.opt.idleLock {
		d.log.Info("idle lock")
		d.lockNow()
	}
}

// applySnapshot replaces the state with a snapshot.
func (d *Desktop) applySnapshot(s phone.Snapshot) {
	d.state.login = s.Login
	d.state.reg = s.Registration
	d.state.calls = append([]phone.CallInfo(nil), s.Calls...)
	d.updateRinging()
}

// apply handles one phone event. Fyne thread.
func (d *Desktop) apply(ev phone.Event) {
	switch e := ev.(type) {
	case phone.RegistrationChanged:
		d.state.reg = e.Registration
		if d.Main != nil {
			d.Main.applyRegistration()
		}
		d.dialPendingLink()
	case phone.LoginChanged:
		d.applyLogin(e.Login)
	case phone.CallChanged:
		d.applyCall(e.Call)
	case phone.DTMFReceived:
		if d.Main != nil {
			d.Main.Calls.dtmfReceived(e.CallID, e.Digit)
		}
	case phone.StatsUpdated:
		d.applyStats(map[string]phone.CallStats{e.CallID: e.Stats})
	}
	d.panelEvent(ev)
}

// applyLogin follows a lock, unlock or logout that happened elsewhere
// (idle lock in the phone, a headless command). Logging in is routed by the
// login and enrolment views themselves, so the recovery codes stay on
// screen until the agent has stored them.
func (d *Desktop) applyLogin(l phone.Login) {
	d.state.login = l
	switch {
	case !l.LoggedIn && (d.screen == ScreenMain || d.screen == ScreenLock):
		d.showLogin("", false)
	case l.LoggedIn && l.Locked && d.screen == ScreenMain:
		d.showLock("")
	case l.LoggedIn && !l.Locked && d.screen == ScreenLock:
		d.loggedIn()
	}
}

// applyCall merges a call change into the state.
func (d *Desktop) applyCall(c phone.CallInfo) {
	idx := -1
	for i := range d.state.calls {
		if d.state.calls[i].ID == c.ID {
			idx = i
			break
		}
	}
	newIncoming := idx < 0 && c.State == phone.CallIncoming
	switch {
	case c.State == phone.CallEnded:
		if idx >= 0 {
			d.state.calls = append(d.state.calls[:idx], d.state.calls[idx+1:]...)
		}
		delete(d.state.stats, c.ID)
		d.state.ended = append([]phone.CallInfo{c}, d.state.ended...)
		if len(d.state.ended) > historyLimit {
			d.state.ended = d.state.ended[:historyLimit]
		}
		end := c
		d.state.lastEnd = &end
		if len(d.state.calls) == 0 {
			// The idle period starts again when the last call ends, so the
			// desktop does not lock the moment a long call is over.
			d.touch()
		}
	case idx >= 0:
		d.state.calls[idx] = c
	default:
		d.state.calls = append(d.state.calls, c)
	}
	d.updateRinging()
	if newIncoming {
		d.notifyIncoming(c)
	}
	if d.Lock != nil {
		d.Lock.showCalls(d.state.calls)
	}
	if d.Main != nil {
		d.Main.applyCalls()
		if c.State == phone.CallEnded {
			d.Main.History.refresh()
		}
	}
}

// applyStats stores coalesced statistics and shows them.
func (d *Desktop) applyStats(m map[string]phone.CallStats) {
	for id, s := range m {
		if d.findCall(id) == nil {
			continue // ended meanwhile
		}
		d.state.stats[id] = s
	}
	if d.Main != nil {
		d.Main.Calls.applyStats(d.state.stats)
	}
}

func (d *Desktop) findCall(id string) *phone.CallInfo {
	for i := range d.state.calls {
		if d.state.calls[i].ID == id {
			return &d.state.calls[i]
		}
	}
	return nil
}

// updateRinging rings while any call is incoming.
func (d *Desktop) updateRinging() {
	ring := false
	for _, c := range d.state.calls {
		if c.State == phone.CallIncoming {
			ring = true
		}
	}
	d.setRinging(ring)
}

func (d *Desktop) setRinging(on bool) {
	if on == d.ringing {
		return
	}
	d.ringing = on
	if d.ringer != nil {
		d.ringer.Ring(on)
	}
}

// notifyIncoming raises a desktop notification (masked number only) and
// brings the window forward.
func (d *Desktop) notifyIncoming(c phone.CallInfo) {
	d.app.SendNotification(fyne.NewNotification(lang.L("Incoming call"), MaskNumber(callNumber(c))))
	d.win.RequestFocus()
}

// callNumber is what identifies the far end: the number, else the URI.
func callNumber(c phone.CallInfo) string {
	if c.Number != "" {
		return c.Number
	}
	return c.Remote
}

// working is the call the agent works on: the oldest call that is not
// waiting to be answered. Shortcuts for hang up, mute and hold act on it.
func (d *Desktop) working() *phone.CallInfo {
	for i := range d.state.calls {
		if d.state.calls[i].State != phone.CallIncoming {
			return &d.state.calls[i]
		}
	}
	return nil
}

// waiting is the oldest incoming call (the one Answer picks up).
func (d *Desktop) waiting() *phone.CallInfo {
	for i := range d.state.calls {
		if d.state.calls[i].State == phone.CallIncoming {
			return &d.state.calls[i]
		}
	}
	return nil
}

// focusCall is the call the sidebar shows: the working call, else the
// waiting one.
func (d *Desktop) focusCall() *phone.CallInfo {
	if c := d.working(); c != nil {
		return c
	}
	return d.waiting()
}

// errorText turns a phone error into text for the agent. Sentinel errors
// of phone carry agent-readable text; anything else is summarised.
func errorText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, phone.ErrNoSuchCall):
		return lang.L("The call has already ended.")
	case errors.Is(err, phone.ErrNotLoggedIn):
		return lang.L("You are not logged in.")
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("No answer from the phone service. Try again.")
	case errors.Is(err, phone.ErrEmptyNumber):
		return lang.L("Enter a number to dial.")
	case errors.Is(err, phone.ErrInvalidNumber):
		return lang.L("This is not a phone number.")
	case errors.Is(err, phone.ErrNumberTooLong):
		return lang.L("The number is too long.")
	}
	return lang.L("That did not work: {{.Err}}", map[string]any{"Err": err.Error()})
}
