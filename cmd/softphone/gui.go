//go:build !headless

package main

import (
	"context"
	"crypto/x509"
	"errors"
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
	"softphone/internal/urlhandler"
	"softphone/phone"
	"softphone/recording"
	"softphone/ui"
)

// runGUI starts the desktop: against the embedded demo PBX with --demo, or
// with the user's configuration.
func runGUI(ctx context.Context, env *cli, args []string) int {
	started := time.Now()
	w, closeLog := desktopLogWriter(env.stderr)
	defer closeLog.Close()
	env.log = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: logLevel()}))
	fs := newFlagSet(env, "softphone")
	demoMode := fs.Bool("demo", false, "run against the embedded demo PBX with synthetic demo data")
	var sf sessionFlags
	sf.add(fs)
	lang := fs.String("lang", "", `language: "de", "en" or "" to follow the system`)
	openLink := fs.String("open", "", "a sip:/tel: link to dial once logged in")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}

	// One desktop per user: a second start hands its link (or "" = come to
	// the front) to the first and exits.
	inst, handedOff, err := acquireInstance(ctx, env, *openLink)
	switch {
	case handedOff:
		fmt.Fprintln(env.stderr, "softphone: already running; handed over to that window")
		return exitOK
	case err != nil:
		env.log.Warn("single-instance check failed; continuing", "err", err)
	default:
		defer inst.Close()
	}

	var agent *phone.Agent
	agentSession := func() *auth.Session {
		if agent == nil {
			return nil
		}
		return agent.Session()
	}
	var (
		settings config.Config
		svc      *auth.Service
		profile  string
		extras   func(*phone.Agent, *soundCard) ui.Phone
		roots    *x509.CertPool // the demo trusts only its own CA
		recs     *recording.Store
		crmCfg   *phone.CRMConfig
	)
	if *demoMode {
		d, err := startDemo(ctx, env.log)
		env.log.Debug("start-up", "phase", "demo ready", "elapsed", time.Since(started))
		if err != nil {
			fmt.Fprintln(env.stderr, "softphone:", err)
			return exitFailure
		}
		defer d.close()
		settings, svc, profile, roots = d.settings, d.auth, demoProfile, d.pbx.CAPool()
		recs, crmCfg = d.recordings, d.crmConfig
		if sf.backend != "" {
			settings.Audio.Backend = sf.backend
		}
		extras = func(a *phone.Agent, card *soundCard) ui.Phone {
			return demoPhone{desktopPhone: desktopPhone{Agent: a, card: card}, env: d}
		}
		if os.Getenv("SOFTPHONE_DEMO_CODES") != "" {
			// For GUI smoke tests that type the login: the demo profile's
			// current code as JSON lines (synthetic account, this run only).
			go d.printCodes(ctx, env)
		}
	} else {
		cfg, path, err := sf.loadConfig()
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				fmt.Fprintf(env.stderr, "softphone: no configuration at %s.\nWrite one (see README) or try the demo: softphone --demo\n", path)
			} else {
				fmt.Fprintln(env.stderr, "softphone:", err)
			}
			return exitConfig
		}
		settings = cfg
		var code int
		if svc, code = openAuth(ctx, env, &authFlags{configPath: sf.configPath}); svc == nil {
			return code
		}
		profile = os.Getenv("SOFTPHONE_PROFILE")
		ensureURLHandler(env)
		// Before the login only keyring-held machine keys are available;
		// on a machine without a keyring the desktop runs without them.
		if recs, err = openRecordingStore(settings, svc, nil, env); err != nil {
			env.log.Warn("recording unavailable", "err", err)
		} else if recs != nil {
			defer recs.Close()
		}
		if crmCfg, err = openCRMForAgent(ctx, settings, svc, nil, func() *auth.Session { return agentSession() }, env); err != nil {
			env.log.Warn("CRM unavailable", "err", err)
		}
		extras = func(a *phone.Agent, card *soundCard) ui.Phone {
			return desktopPhone{Agent: a, card: card, configPath: path}
		}
	}
	if *lang != "" {
		settings.UI.Language = *lang
	}

	card := newSoundCard(settings.Audio, "", env.log)
	agent, err = phone.New(phone.Config{
		Settings:   settings,
		RootCAs:    roots,
		Endpoints:  cardEndpoints{card},
		Auth:       svc,
		Recordings: recs,
		CRM:        crmCfg,
		Logger:     env.log,
	})
	if err != nil {
		fmt.Fprintln(env.stderr, "softphone:", err)
		return exitConfig
	}
	defer agent.Close()

	links := make(chan string, 4)
	if *openLink != "" {
		links <- *openLink
	}
	go dialLinks(ctx, agent, links)

	env.log.Debug("start-up", "phase", "agent ready", "elapsed", time.Since(started))
	opts := []ui.Option{
		ui.WithLogger(env.log),
		ui.WithLanguage(settings.UI.Language),
		ui.WithProfile(profile),
		ui.WithIdleLock(settings.Auth.IdleLock),
		ui.WithRinger(audiocard.NewRinger(card, assets.RingtonePCM(device.SampleRate))),
	}
	if err := card.Probe(); err != nil {
		env.log.Warn("no sound card: calls use the null device", "err", err)
		opts = append(opts, ui.WithNotice(audiocard.NoSoundCardNotice))
	}
	a := app.NewWithID(appID)
	card.OnChange(func(ch device.Change) { // a headset unplugged or back: tell the agent
		fyne.Do(func() { a.SendNotification(fyne.NewNotification("Softphone", ch.String())) })
	})
	desk := ui.New(a, extras(agent, card), opts...)
	defer desk.Close()
	env.log.Debug("start-up", "phase", "window built", "elapsed", time.Since(started))
	if inst != nil {
		go func() {
			for l := range inst.Links() {
				if l == "" { // a second start without a link: come to the front
					fyne.Do(func() { desk.Window().RequestFocus(); desk.Window().Show() })
					continue
				}
				select {
				case links <- l:
				default:
				}
			}
		}()
	}
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	desk.ShowAndRun()
	return exitOK
}

// cardEndpoints opens the sound card for every call.
type cardEndpoints struct{ card *soundCard }

func (c cardEndpoints) Open(phone.CallInfo) (audio.Source, audio.Sink, io.Closer, error) {
	return c.card.Open()
}

// SampleRate tells the phone that the card runs at 16 kHz (phone.RatedEndpoints): wideband
// calls carry the agent's voice above 4 kHz.
func (c cardEndpoints) SampleRate() int { return c.card.SampleRate() }

// dialLinks dials every sip:/tel: link handed to this desktop (click to
// call), waiting until the agent is logged in and registered.
func dialLinks(ctx context.Context, agent *phone.Agent, links <-chan string) {
	for {
		var link string
		select {
		case <-ctx.Done():
			return
		case link = <-links:
		}
		l, err := urlhandler.Parse(link)
		if err != nil {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		agent.Watch(wctx, func(e phone.Event) bool {
			r, ok := e.(phone.RegistrationChanged)
			if ok && r.Registration.State == phone.RegRegistered {
				agent.Dial(ctx, l.Target())
				return false
			}
			return true
		})
		cancel()
	}
}
