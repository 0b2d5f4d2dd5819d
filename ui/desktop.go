package ui

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"softphone/assets"
	"softphone/phone"
)

// Window size: room for dialer, call panel and the sidebar without scrolling.
const (
	windowWidth  = 1100
	windowHeight = 720
)

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
	ran    atomic.Bool // ShowAndRun has returned: the app's event loop is over

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
	d.findCapabilities()
	d.initLanguage()
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

// findCapabilities finds the optional interfaces of the phone.
func (d *Desktop) findCapabilities() {
	p := d.phone
	d.demo, _ = p.(Demo)
	d.devices, _ = p.(AudioDevices)
	d.history, _ = p.(CallHistory)
	d.settings, _ = p.(SettingsStore)
	d.levels, _ = p.(AudioLevels)
	d.ringer = d.opt.ringer
	if d.ringer == nil {
		d.ringer, _ = p.(Ringer)
	}
}

// initLanguage loads the translations and picks the language: the
// option's, else the settings', else the system's.
func (d *Desktop) initLanguage() {
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
}

// Window is the desktop's window.
func (d *Desktop) Window() fyne.Window { return d.win }

// Show shows the window.
func (d *Desktop) Show() { d.win.Show() }

// ShowAndRun shows the window and runs the app's event loop until the app
// quits (the window closed, or the app told to quit: SIGTERM, the session
// ending).
func (d *Desktop) ShowAndRun() {
	d.win.ShowAndRun()
	// The event loop has ended and GLFW with it: the window is gone, and
	// closing it now would panic (and skip the caller's deferred clean-up:
	// the agent's hang-up, unregister and audit records).
	d.ran.Store(true)
}

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
		if !d.ran.Load() {
			d.win.Close()
		}
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
