package main

import (
	"context"
	"errors"
	"fmt"

	"softphone/internal/instance"
	"softphone/internal/urlhandler"
)

func init() {
	register(command{name: "open", summary: "open LINK: hand a sip:/tel: link to the running softphone [--start] [--register|--unregister]", run: runOpen})
}

// Release metadata, set by the build from git (mk/package.mk):
// -X main.version=$(git describe --tags --always --dirty)
// -X main.buildNumber=$(git rev-list --count HEAD). The lead may move these
// to main.go; they live here because the URL handler registration needs them.
var (
	version     = "dev"
	buildNumber = "0"
	// appID and appName come from FyneApp.toml through -X as well; they name
	// the .desktop file and the Windows ProgID of the URL handler.
	appID   = "com.example.softphone"
	appName = "Softphone"
)

// instanceName names the single-instance lock and endpoint.
const instanceName = "softphone"

// urlHandlerConfig is what `open --register` and the first start register.
func urlHandlerConfig() urlhandler.Config {
	return urlhandler.Config{AppID: appID, Name: appName, Icon: "softphone"}
}

// runOpen is what the OS runs for a clicked sip:/tel: link
// (`softphone open --start LINK`): it validates the link and hands it to the
// running instance; with --start and no instance running it starts the
// desktop with the link instead.
func runOpen(ctx context.Context, env *cli, args []string) int {
	fs := newFlagSet(env, "open")
	start := fs.Bool("start", false, "start the desktop with the link if no softphone runs")
	reg := fs.Bool("register", false, "register this program as the sip:/tel: link handler of the current user, then exit")
	unreg := fs.Bool("unregister", false, "remove the sip:/tel: link handler registration, then exit")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	switch {
	case *reg && *unreg:
		fmt.Fprintln(env.stderr, "softphone open: --register and --unregister exclude each other")
		return exitUsage
	case *reg:
		return handlerRegistration(env, urlhandler.Register, "url_handler_registered")
	case *unreg:
		return handlerRegistration(env, urlhandler.Unregister, "url_handler_unregistered")
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.stderr, "usage: softphone open [--start] LINK   (sip:, sips: or tel:)")
		return exitUsage
	}
	link, err := urlhandler.Parse(fs.Arg(0))
	if err != nil {
		return env.fail(exitUsage, err)
	}
	env.log.Debug("open link", "link", link)
	err = instance.Send(ctx, instanceName, link.String(), instance.WithLogger(env.log))
	switch {
	case err == nil:
		env.emit("link_handed_off", map[string]any{"scheme": link.Scheme.String()})
		return exitOK
	case errors.Is(err, instance.ErrNotRunning) && *start:
		env.emit("starting", map[string]any{"scheme": link.Scheme.String()})
		return runGUI(ctx, env, []string{"--open", link.String()})
	case errors.Is(err, instance.ErrNotRunning):
		env.emit("not_running", map[string]any{"scheme": link.Scheme.String()})
		return exitFailure
	default:
		return env.fail(exitFailure, err)
	}
}

func handlerRegistration(env *cli, f func(urlhandler.Config) error, event string) int {
	err := f(urlHandlerConfig())
	switch {
	case errors.Is(err, urlhandler.ErrBundleManaged):
		env.emit(event, map[string]any{"note": "macOS registers sip:/tel: from the app bundle's Info.plist"})
		return exitOK
	case err != nil:
		return env.fail(exitFailure, err)
	}
	env.emit(event, map[string]any{"schemes": urlhandler.DefaultSchemes})
	return exitOK
}

// acquireInstance is for runGUI, before it opens a window: it makes this
// process the primary instance (read inst.Links() for links from later
// starts; "" means "come to the front"; Close on exit), or hands link ("" for
// none) to the running instance and returns handedOff=true: runGUI then exits
// with exitOK.
func acquireInstance(ctx context.Context, env *cli, link string) (inst *instance.Instance, handedOff bool, err error) {
	inst, primary, err := instance.Acquire(instanceName, instance.WithLogger(env.log))
	if err != nil {
		return nil, false, err
	}
	if primary {
		return inst, false, nil
	}
	defer inst.Close()
	if err := inst.Send(ctx, link); err != nil {
		return nil, false, err
	}
	env.log.Info("handed over to the running softphone")
	return nil, true, nil
}

// ensureURLHandler registers the sip:/tel: handler when none is registered
// for this user yet (for runGUI on first start; the Windows build has no
// installer). It never overrides a handler the user chose on Linux, and
// Windows keeps the user's choice over ours anyway. Errors are only logged.
func ensureURLHandler(env *cli) {
	cfg := urlHandlerConfig()
	ok, err := urlhandler.Available(cfg)
	if err != nil || !ok {
		if err != nil && !errors.Is(err, urlhandler.ErrBundleManaged) {
			env.log.Debug("url handler check", "err", err)
		}
		return
	}
	if err := urlhandler.Register(cfg); err != nil {
		env.log.Warn("could not register the sip:/tel: link handler", "err", err)
	}
}
