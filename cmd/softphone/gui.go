//go:build !headless

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"softphone/assets"
	"softphone/audio"
	"softphone/audio/device"
	audiocard "softphone/audio/device/card"
	"softphone/auth"
	"softphone/config"
	"softphone/internal/instance"
	"softphone/phone"
	"softphone/ui"
)

// guiFlags are the desktop's command line.
type guiFlags struct {
	demo     bool
	session  sessionFlags
	lang     string
	openLink string
}

func parseGUIFlags(env *cli, args []string) (guiFlags, error) {
	var f guiFlags
	fs := newFlagSet(env, "softphone")
	fs.BoolVar(&f.demo, "demo", false, "run against the embedded demo PBX with synthetic demo data")
	f.session.add(fs)
	fs.StringVar(&f.lang, "lang", "", `language: "de", "en" or "" to follow the system`)
	fs.StringVar(&f.openLink, "open", "", "a sip:/tel: link to dial once logged in")
	return f, fs.Parse(args)
}

// runGUI starts the desktop: against the embedded demo PBX with --demo, or
// with the user's configuration.
func runGUI(ctx context.Context, env *cli, args []string) int {
	started := time.Now()
	w, closeLog := desktopLogWriter(env.stderr)
	defer closeLog.Close()
	env.log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: logLevel()}))
	f, err := parseGUIFlags(env, args)
	if err != nil {
		return exitUsage
	}
	// One desktop per user: a second start hands its link (or "" = come to
	// the front) to the first and exits.
	inst, handedOff, err := acquireInstance(ctx, env, f.openLink)
	switch {
	case handedOff:
		fmt.Fprintln(env.stderr, "softphone: already running; handed over to that window")
		return exitOK
	case err != nil:
		env.log.Warn("single-instance check failed; continuing", "err", err)
	default:
		defer inst.Close()
	}

	var agent *phone.Agent // set below; the REST CRM token follows its session
	token := func(context.Context) (string, error) { return sessionToken(agent) }
	dw, code := openDesktopWorld(ctx, env, f, token)
	if dw == nil {
		return code
	}
	defer dw.close()
	env.log.Debug("start-up", "phase", "world ready", "elapsed", time.Since(started))

	card := newSoundCard(dw.settings.Audio, "", env.log)
	if agent, err = buildAgent(dw.world, cardEndpoints{card}, env); err != nil {
		fmt.Fprintln(env.stderr, "softphone:", err)
		return exitConfig
	}
	defer agent.Close()
	go trimAfterPhases(ctx, env, agent)

	a := app.NewWithID(appID)
	card.OnChange(func(ch device.Change) { // a headset unplugged or back: tell the agent
		agent.ReportDeviceChange(deviceChanged(ch)) // the window's status line (ui/device.go)
		fyne.Do(func() { a.SendNotification(fyne.NewNotification("Softphone", ch.String())) })
	})
	phoneUI := dw.phone(agent, card)
	// Central storage (central_desktop.go): uploads after login, the Review tab, the upload status line.
	if cd := startCentralDesk(ctx, dw.settings, dw.recordings, agent.Session, card, env, agent.Watch); cd != nil {
		if dp, ok := phoneUI.(desktopPhone); ok {
			phoneUI = centralPhone{desktopPhone: dp, c: cd}
		}
	}
	desk := ui.New(a, phoneUI, desktopOptions(env, dw, card)...)
	defer desk.Close()
	env.log.Debug("start-up", "phase", "window built", "elapsed", time.Since(started))
	if f.openLink != "" {
		desk.OpenLink(f.openLink)
	}
	if inst != nil {
		go forwardLinks(inst, desk)
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	desk.ShowAndRun()
	return exitOK
}

// desktopOptions are the desktop's options from the world and the sound card.
func desktopOptions(env *cli, dw *desktopWorld, card *soundCard) []ui.Option {
	opts := []ui.Option{
		ui.WithLogger(env.log),
		ui.WithLanguage(dw.settings.UI.Language),
		ui.WithProfile(dw.profile),
		ui.WithIdleLock(dw.settings.Auth.IdleLock),
		ui.WithRinger(audiocard.NewRinger(card, assets.RingtonePCM(device.SampleRate))),
	}
	if err := card.Probe(); err != nil {
		env.log.Warn("no sound card: calls use the null device", "err", err)
		opts = append(opts, ui.WithNotice(audiocard.NoSoundCardNotice))
	}
	return opts
}

// forwardLinks hands links from later starts to the desktop (click to call);
// "" brings the window to the front.
func forwardLinks(inst *instance.Instance, desk *ui.Desktop) {
	for l := range inst.Links() {
		if l == "" {
			fyne.Do(func() { desk.Window().RequestFocus(); desk.Window().Show() })
			continue
		}
		desk.OpenLink(l)
	}
}

// sessionToken is the REST CRM's bearer token from the agent's session.
func sessionToken(agent *phone.Agent) (string, error) {
	var s *auth.Session
	if agent != nil {
		s = agent.Session()
	}
	if s == nil {
		return "", fmt.Errorf("not logged in: the CRM token is in the profile's vault")
	}
	return s.Secret(auth.SecretCRMToken)
}

// desktopWorld is the world of the desktop: the user's configuration or the demo.
type desktopWorld struct {
	world
	profile string   // pre-filled on the login screen
	demo    *demoEnv // nil unless --demo
	locked  []string // config keys the machine policy fixes (settings dialog)
}

func (dw *desktopWorld) close() {
	if dw.demo != nil {
		dw.demo.close()
	}
}

// phone is what the desktop drives: the agent with the device list, and the
// demo's extras under --demo.
func (dw *desktopWorld) phone(a *phone.Agent, card *soundCard) ui.Phone {
	p := desktopPhone{Agent: a, card: card, locked: dw.locked}
	if dw.demo != nil {
		return demoPhone{desktopPhone: p, env: dw.demo}
	}
	return p
}

// openDesktopWorld builds the demo world or opens the configured one. On
// failure it has printed why and returns the exit code.
func openDesktopWorld(ctx context.Context, env *cli, f guiFlags, token func(context.Context) (string, error)) (*desktopWorld, int) {
	var dw *desktopWorld
	if f.demo {
		d, err := startDemo(ctx, env.log)
		if err != nil {
			fmt.Fprintln(env.stderr, "softphone:", err)
			return nil, exitFailure
		}
		dw = &desktopWorld{world: d.world(), profile: demoProfile, demo: d}
		if f.session.backend != "" {
			dw.settings.Audio.Backend = f.session.backend
		}
		if os.Getenv("SOFTPHONE_DEMO_CODES") != "" {
			// For GUI smoke tests that type the login: the demo profile's
			// current code as JSON lines (synthetic account, this run only).
			go d.printCodes(ctx, env)
		}
	} else {
		cfg, path, err := loadConfig(f.session.configPath, true)
		if err != nil {
			fmt.Fprintln(env.stderr, "softphone:", err)
			return nil, exitConfig
		}
		svc, code := openAuth(ctx, env, &authFlags{configPath: f.session.configPath})
		if svc == nil {
			return nil, code
		}
		cfg = env.policy.Config // the machine policy applied (openAuth)
		ensureURLHandler(env)
		// Before the login only keyring-held machine keys are available;
		// on a machine without a keyring the desktop runs without them.
		w, _ := openWorld(ctx, env, cfg, path, svc, serviceKeys{svc}, token, false)
		dw = &desktopWorld{world: w, profile: os.Getenv("SOFTPHONE_PROFILE"), locked: env.policy.LockedKeys()}
	}
	if f.lang != "" {
		dw.settings.UI.Language = f.lang
	}
	return dw, exitOK
}

// cardEndpoints opens the sound card for every call; saved settings select
// its devices.
type cardEndpoints struct{ card *soundCard }

func (c cardEndpoints) Open(phone.CallInfo) (audio.Source, audio.Sink, io.Closer, error) {
	return c.card.Open()
}

// SampleRate tells the phone that the card runs at 16 kHz (phone.RatedEndpoints): wideband
// calls carry the agent's voice above 4 kHz.
func (c cardEndpoints) SampleRate() int { return c.card.SampleRate() }

// SelectDevices chooses the devices of the next call and of the ringtone.
func (c cardEndpoints) SelectDevices(a config.Audio) { selectConfigured(c.card, a) }
