package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"softphone/audio/device"
	"softphone/config"
	"softphone/crm"
	"softphone/phone"
)

func init() {
	register(command{name: "call", summary: "call URI [--duration D] [--play in.wav] [--record out.wav] [--dtmf DIGITS]", run: runCall})
	register(command{name: "answer", summary: "answer incoming calls [--count N] [--play in.wav] [--record out.wav]", run: runAnswer})
}

// callFlags are the flags shared by call and answer.
type callFlags struct {
	session  sessionFlags
	duration time.Duration
	play     string
	record   string
	dtmf     string
	agent    atomic.Pointer[phone.Agent] // set once open: told about sound device changes
}

func (f *callFlags) add(fs *flag.FlagSet) {
	f.session.add(fs)
	fs.DurationVar(&f.duration, "duration", 0, "hang up after this long once established (0: until the far end hangs up or stdin says hangup)")
	fs.StringVar(&f.play, "play", "", "send this WAV file instead of the microphone")
	fs.StringVar(&f.record, "record", "", "write what the far end sends to this WAV file (plaintext: for tests and automation only)")
	fs.StringVar(&f.dtmf, "dtmf", "", "send these DTMF digits once the call is established")
}

// endpoints makes the call's audio endpoints once the configuration is known.
func (f *callFlags) endpoints(env *cli) func(config.Audio) phone.Endpoints {
	return func(a config.Audio) phone.Endpoints {
		c := newSoundCard(a, f.session.backend, env.log)
		c.OnChange(func(ch device.Change) { // a device unplugged or back: the device_changed event
			if ag := f.agent.Load(); ag != nil {
				ag.ReportDeviceChange(deviceChanged(ch))
			}
		})
		return fileEndpoints(f.play, f.record, c)
	}
}

func runCall(ctx context.Context, env *cli, args []string) int {
	var f callFlags
	fs := newFlagSet(env, "call")
	f.add(fs)
	if err := fs.Parse(reorderFlags(args, fs)); err != nil {
		return exitUsage
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(env.stderr, "usage: softphone call URI [flags]")
		return exitUsage
	}
	ag, code := openAgent(ctx, env, &f.session, f.endpoints(env))
	if ag == nil {
		return code
	}
	f.agent.Store(ag)
	defer ag.Close()

	id, err := ag.Dial(ctx, fs.Arg(0))
	if err != nil {
		return env.fail(exitCall, err)
	}
	return driveCalls(ctx, env, ag, &f, map[string]bool{id: true}, 1)
}

func runAnswer(ctx context.Context, env *cli, args []string) int {
	var f callFlags
	count := 1
	fs := newFlagSet(env, "answer")
	f.add(fs)
	fs.IntVar(&count, "count", 1, "answer this many calls, then exit")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	ag, code := openAgent(ctx, env, &f.session, f.endpoints(env))
	if ag == nil {
		return code
	}
	f.agent.Store(ag)
	defer ag.Close()
	return driveCalls(ctx, env, ag, &f, nil, count)
}

// driveCalls prints events, answers incoming calls when ours is nil, applies
// stdin commands, and returns once count calls have ended.
func driveCalls(ctx context.Context, env *cli, ag *phone.Agent, f *callFlags, ours map[string]bool, count int) int {
	answering := ours == nil
	if answering {
		ours = map[string]bool{}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	current := make(chan string, 1) // the call stdin commands apply to
	d := &callDriver{env: env, ag: ag, f: f, ours: ours, answering: answering, count: count,
		current: current, lastState: map[string]phone.CallState{}, reg: phone.RegRegistered, exit: exitOK}
	// Stdin commands are read once the watch has subscribed (its first
	// event is the replay of the current state): a command applied before
	// would change the state unseen, and the first agent_state printed
	// would already be the changed one. A script writes its first commands
	// as soon as it reads "registered".
	var reading sync.Once
	ag.Watch(ctx, func(ev phone.Event) bool {
		reading.Do(func() { go readCommands(ctx, env, ag, current) })
		return d.event(ctx, ev)
	})
	exit, ended := d.exit, d.ended
	if ended < count {
		if ctx.Err() != nil {
			return exitOK // interrupted by signal: calls are hung up by Close
		}
		return exitCall
	}
	return exit
}

// callDriver follows the agent's events for driveCalls.
type callDriver struct {
	env       *cli
	ag        *phone.Agent
	f         *callFlags
	ours      map[string]bool // the calls this command reports on
	answering bool
	count     int
	current   chan string // the call stdin commands apply to
	lastState map[string]phone.CallState
	reg       phone.RegState // last reported; openAgent reported "registered"
	phases    phases
	ended     int
	exit      int
}

// event handles one event; false once count calls have ended.
func (d *callDriver) event(ctx context.Context, ev phone.Event) bool {
	env := d.env
	// A finished phase gives its code pages back before the event is
	// printed: a script sees "active" with the call's set-up trimmed.
	if phase := d.phases.ended(ev); phase != "" {
		env.phaseDone(phase)
	}
	switch e := ev.(type) {
	case phone.RegistrationChanged:
		d.registration(e.Registration)
	case phone.AgentStateChanged:
		env.emit("agent_state", agentStateFields(e.Status, time.Now()))
	case phone.ColleagueChanged:
		c := e.Colleague
		env.emit("colleague", map[string]any{"user": c.User, "available": c.Open, "state": c.Note, "dialog": c.Dialog.String()})
	case phone.MissedCallsChanged:
		env.emit("missed_calls", missedFields(e.Calls))
	case phone.DeviceChanged:
		env.emit("device_changed", map[string]any{"role": e.Role.String(), "reason": e.Reason.String(), "from": e.From, "to": e.To})
	case phone.CallChanged:
		return d.callChanged(ctx, e.Call)
	case phone.RecordingChanged:
		if d.ours[e.CallID] {
			env.emit("recording_state", map[string]any{"call_id": e.CallID, "state": e.State.String(), "reason": e.Reason()})
		}
	case phone.DTMFReceived:
		if d.ours[e.CallID] {
			env.emit("dtmf", map[string]any{"call_id": e.CallID, "digit": string(e.Digit)})
		}
	case phone.QualityWarning, phone.QualityCleared:
		emitQuality(env, d.ours, e)
	case phone.StatsUpdated:
		if d.ours[e.CallID] {
			s := e.Stats
			env.emit("call_stats", map[string]any{
				"call_id": e.CallID, "packets_sent": s.PacketsSent, "packets_received": s.PacketsReceived,
				"packets_lost": s.PacketsLost, "remote_lost": s.RemoteLost, "jitter_ms": round(s.JitterMs),
				"rtt_ms": round(s.RTTMs), "mos": round(s.MOS),
				"srtp_failures": s.SRTPFailures, "dropped": s.Dropped,
				"candidate": s.Candidate, "ice_path": s.Path,
			})
		}
	}
	return true
}

// callChanged answers incoming calls when answering, reports our calls'
// states, and starts DTMF and the hang-up timer once a call is up.
func (d *callDriver) callChanged(ctx context.Context, c phone.CallInfo) bool {
	env, ag, f := d.env, d.ag, d.f
	if d.answering && c.Direction == phone.Incoming && !d.ours[c.ID] && c.State == phone.CallIncoming && len(d.ours) < d.count {
		d.ours[c.ID] = true
		go ag.Answer(ctx, c.ID)
	}
	// A consultation placed from one of our calls (attended transfer) is
	// reported too, with consult_for, so that a script knows when the
	// expert has answered; it does not count towards --count, and commands
	// keep going to the customer's call.
	consult := c.ConsultFor != "" && d.ours[c.ConsultFor]
	if !d.ours[c.ID] && !consult || d.lastState[c.ID] == c.State && c.State != phone.CallActive && c.State != phone.CallHeld {
		return true
	}
	prev, seen := d.lastState[c.ID]
	d.lastState[c.ID] = c.State
	if consult {
		if c.State == phone.CallEnded {
			env.emit("call_ended", map[string]any{"call_id": c.ID, "consult_for": c.ConsultFor, "reason": c.EndReason})
		} else {
			env.emit("call_state", callFields(c))
		}
		return true
	}
	if c.State == phone.CallEnded {
		d.ended++
		dur := 0.0
		if !c.Answered.IsZero() {
			dur = c.Ended.Sub(c.Answered).Seconds()
		} else {
			d.exit = exitCall
		}
		env.emit("call_ended", map[string]any{"call_id": c.ID, "reason": c.EndReason, "duration_s": round(dur)})
		return d.ended < d.count
	}
	env.emit("call_state", callFields(c))
	if c.State == phone.CallActive && (!seen || prev != phone.CallActive && prev != phone.CallHeld) {
		select {
		case d.current <- c.ID:
		default:
		}
		if f.dtmf != "" {
			go func(id string) {
				if err := ag.SendDTMF(id, f.dtmf); err != nil {
					env.emit("error", map[string]any{"call_id": id, "error": err.Error()})
				}
			}(c.ID)
		}
		if f.duration > 0 {
			id := c.ID
			time.AfterFunc(f.duration, func() { ag.Hangup(id) })
		}
	}
	return true
}

// callFields is the JSON form of a call (the number redacted).
func callFields(c phone.CallInfo) map[string]any {
	f := map[string]any{
		"call_id":      c.ID,
		"state":        c.State.String(),
		"direction":    c.Direction.String(),
		"remote":       crm.Number(c.Number).String(), // last digits only
		"srtp":         c.SRTP,
		"key_exchange": c.KeyExchange.String(), // "SDES" or "DTLS" next to the suite
		"securing":     c.Securing,             // the DTLS-SRTP handshake runs: no audio yet
		"encrypted":    c.Encrypted(),
		"codec":        c.Codec,
		"sample_rate":  c.SampleRate,
		"local_hold":   c.LocalHold,
		"remote_hold":  c.RemoteHold,
		"muted":        c.Muted,
	}
	if c.ConsultFor != "" {
		f["consult_for"] = c.ConsultFor
	}
	return f
}

// stdinCommand is one line of the automation API on stdin.
type stdinCommand struct {
	Command string `json:"command"`
	Digits  string `json:"digits,omitempty"`
	Target  string `json:"target,omitempty"`
	Reason  string `json:"reason,omitempty"`
	State   string `json:"state,omitempty"` // "state": available, not_ready, acw
	Code    string `json:"code,omitempty"`  // "wrap_up": the wrap-up code
}

// readCommands applies JSON-line commands from stdin to the current call.
func readCommands(ctx context.Context, env *cli, ag *phone.Agent, current <-chan string) {
	if env.stdin == nil {
		return
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(env.stdin)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
	}()
	id := ""
	consult := "" // the consultation of an attended transfer, if any
	for {
		select {
		case <-ctx.Done():
			return
		case id = <-current:
		case line := <-lines:
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			var cmd stdinCommand
			if err := json.Unmarshal([]byte(line), &cmd); err != nil {
				env.emit("error", map[string]any{"error": "stdin: not a JSON command: " + err.Error()})
				continue
			}
			if id == "" {
				select {
				case id = <-current:
				default:
				}
			}
			if handled, err := applyAgentCommand(ag, cmd); handled {
				if err != nil {
					env.emit("error", map[string]any{"command": cmd.Command, "error": err.Error()})
				}
				continue
			}
			if handled, err := applyConsultCommand(ctx, ag, id, &consult, cmd); handled {
				if err != nil {
					env.emit("error", map[string]any{"command": cmd.Command, "error": err.Error()})
				}
				continue
			}
			if err := applyCommand(ctx, ag, id, cmd); err != nil {
				env.emit("error", map[string]any{"command": cmd.Command, "error": err.Error()})
			}
		}
	}
}

var errNoCall = errors.New("no established call yet")

func applyCommand(ctx context.Context, ag *phone.Agent, id string, cmd stdinCommand) error {
	if id == "" {
		return errNoCall
	}
	switch cmd.Command {
	case "hangup":
		return ag.Hangup(id)
	case "hold":
		return ag.Hold(ctx, id, true)
	case "unhold":
		return ag.Hold(ctx, id, false)
	case "mute":
		return ag.Mute(id, true)
	case "unmute":
		return ag.Mute(id, false)
	case "dtmf":
		return ag.SendDTMF(id, cmd.Digits)
	case "transfer":
		return ag.Transfer(ctx, id, cmd.Target)
	case "record_pause":
		return ag.RecordPause(id, true)
	case "record_resume":
		return ag.RecordPause(id, false)
	case "record_flag":
		return ag.RecordFlag(id, cmd.Reason)
	case "record_on":
		return ag.SetRecording(id, true)
	case "record_off":
		return ag.SetRecording(id, false)
	case "record_prompt_dtmf":
		return ag.PromptDTMF(id)
	case "consent":
		return ag.Consent(id, true)
	case "optout":
		return ag.CustomerOptOut(id)
	}
	return fmt.Errorf("unknown command %q", cmd.Command)
}

func round(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
