// Command softphone is the desktop SIP softphone for call-center agents.
//
// Without a subcommand it starts the GUI. Subcommands are headless: they print
// one JSON object per line on stdout, each with an "event" field, and exit with
// the codes below. Each subcommand lives in its own file and registers itself
// in init with register.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"

	"softphone/audit"
)

// Exit codes of headless commands (documented in README.md).
const (
	exitOK           = 0
	exitFailure      = 1 // anything not listed below
	exitUsage        = 2 // bad flags or arguments
	exitLoginRefused = 3 // password/TOTP refused or profile locked
	exitRegistration = 4 // could not register (network, TLS, credentials)
	exitCall         = 5 // call failed or ended abnormally
	exitConfig       = 6 // configuration missing or invalid
)

// command is one headless subcommand. A name of two words ("recordings
// sync") is a sub-subcommand that lives in its own file: it takes precedence
// over the one-word command when both words match, so a new subcommand never
// edits an existing command's file.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cli, args []string) int
}

var commands = map[string]command{}

// register adds a subcommand; called from init in each cmd_*.go file.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("duplicate command " + c.name)
	}
	commands[c.name] = c
}

// cli is what every subcommand gets: streams, a logger and the JSON emitter.
type cli struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	deps   deps // what commands use to log in and find files; tests replace parts

	mu sync.Mutex // serialises writes to stdout

	// auditLog is the hash-chained audit log, opened with the login store
	// (openAuth) and closed when the command returns.
	auditLog *audit.Log
	exits    []func() // run in reverse order before the audit log closes
}

// onExit runs f when the command returns (before the audit log closes).
func (c *cli) onExit(f func()) { c.exits = append(c.exits, f) }

// emit writes one JSON line {"event": name, ...fields}.
func (c *cli) emit(name string, fields map[string]any) {
	m := make(map[string]any, len(fields)+1)
	for k, v := range fields {
		m[k] = v
	}
	m["event"] = name
	b, err := json.Marshal(m)
	if err != nil {
		b = []byte(fmt.Sprintf(`{"event":"error","error":%q}`, err.Error()))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stdout.Write(append(b, '\n'))
}

// fail emits an "error" event and returns code.
func (c *cli) fail(code int, err error) int {
	c.emit("error", map[string]any{"error": err.Error(), "exit_code": code})
	return code
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWith(defaultDeps(), args, stdin, stdout, stderr)
}

// runWith runs one command line with the given dependencies.
func runWith(d deps, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	level := logLevel()
	env := &cli{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		deps:   d,
		log:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		c, rest, ok := lookupCommand(args)
		if !ok {
			fmt.Fprintf(stderr, "softphone: unknown command %q\n\n", args[0])
			usage(stderr)
			return exitUsage
		}
		defer env.closeAudit()
		return c.run(ctx, env, rest)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		usage(stdout)
		return exitOK
	}
	defer env.closeAudit()
	return runGUI(ctx, env, args)
}

// lookupCommand finds the command of a command line: a two-word command
// first ("recordings sync"), then a one-word one. rest is what follows the name.
func lookupCommand(args []string) (c command, rest []string, ok bool) {
	if len(args) > 1 {
		if c, ok = commands[args[0]+" "+args[1]]; ok {
			return c, args[2:], true
		}
	}
	c, ok = commands[args[0]]
	return c, args[1:], ok
}

func (c *cli) closeAudit() {
	for i := len(c.exits) - 1; i >= 0; i-- {
		c.exits[i]()
	}
	c.exits = nil
	if c.auditLog != nil {
		c.auditLog.Close()
		c.auditLog = nil
	}
}

// logLevel is Warn, or Debug with SOFTPHONE_DEBUG set.
func logLevel() slog.Level {
	if os.Getenv("SOFTPHONE_DEBUG") != "" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: softphone [--demo] [--config FILE]       start the desktop")
	fmt.Fprintln(w, "       softphone COMMAND [flags]                 headless (JSON lines on stdout)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
}

// newFlagSet makes a flag set that reports errors to env.stderr.
func newFlagSet(env *cli, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	return fs
}

// reorderFlags moves flags after positional arguments to the front, so
// "call URI --duration 5s" parses like "call --duration 5s URI" (the flag
// package stops at the first positional argument).
func reorderFlags(args []string, fs *flag.FlagSet) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if fl := fs.Lookup(name); fl != nil {
				if bf, ok := fl.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
					continue
				}
				if i+1 < len(args) {
					i++
					flags = append(flags, args[i])
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}
