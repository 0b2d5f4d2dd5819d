package ui

import (
	"log/slog"
	"time"
)

// Option changes how the desktop is built.
type Option func(*options)

type options struct {
	logger    *slog.Logger
	ringer    Ringer
	language  string
	profile   string
	idleLock  time.Duration
	now       func() time.Time
	crm       SidebarPanel
	recording SidebarPanel
	statsRate time.Duration
	sync      bool // tests: run phone calls inline instead of in goroutines
	notice    string
}

func defaultOptions() options {
	return options{
		logger:    slog.Default(),
		now:       time.Now,
		statsRate: time.Second / 15,
	}
}

// WithLogger sets the logger; the desktop logs with component=ui and never
// logs numbers, names or secrets.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.logger = l
		}
	}
}

// WithRinger sets the ringtone player. Without it the desktop uses the
// Phone if it implements Ringer, else it rings silently (visual only).
func WithRinger(r Ringer) Option { return func(o *options) { o.ringer = r } }

// WithLanguage sets the starting language: LangEnglish, LangGerman or
// LangSystem (follow the OS, the default).
func WithLanguage(code string) Option { return func(o *options) { o.language = code } }

// WithProfile prefills the profile name on the login screen.
func WithProfile(name string) Option { return func(o *options) { o.profile = name } }

// WithIdleLock locks the session after d without input while no call is
// live (config auth.idle_lock). Zero disables the idle lock.
func WithIdleLock(d time.Duration) Option { return func(o *options) { o.idleLock = d } }

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// WithCRMPanel puts the CRM card into the sidebar.
func WithCRMPanel(p SidebarPanel) Option { return func(o *options) { o.crm = p } }

// WithRecordingPanel puts the recording control strip into the sidebar.
func WithRecordingPanel(p SidebarPanel) Option { return func(o *options) { o.recording = p } }

// withSync makes phone requests run inline and disables timers, so widget
// tests are deterministic (tests drive tick and the stats flush by hand).
func withSync() Option { return func(o *options) { o.sync = true } }

// WithNotice shows a standing warning under the header of the main window,
// e.g. that there is no sound card and calls are silent. text is a
// translation key (or plain text).
func WithNotice(text string) Option { return func(o *options) { o.notice = text } }
