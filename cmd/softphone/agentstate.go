package main

import (
	"context"
	"time"

	"softphone/internal/redact"
	"softphone/phone"
)

// applyAgentCommand applies a stdin command about the agent's state
// rather than a call: {"command":"state","state":"not_ready","reason":"break"}
// (and "available", "acw"), {"command":"acw_extend"},
// {"command":"wrap_up","code":"sale"}, and for supervisors
// {"command":"supervise_recording","target":"1000","state":"off"}.
// handled is false for call commands.
func applyAgentCommand(ag *phone.Agent, cmd stdinCommand) (handled bool, err error) {
	switch cmd.Command {
	case "state":
		st, err := phone.ParseAgentState(cmd.State)
		if err != nil {
			return true, err
		}
		return true, ag.SetAgentState(st, cmd.Reason)
	case "acw_extend":
		return true, ag.ExtendACW()
	case "wrap_up":
		return true, ag.SetWrapUp(cmd.Code)
	case "supervise_recording":
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return true, ag.SuperviseRecording(ctx, cmd.Target, cmd.State == "on")
	}
	return false, nil
}

// agentStateFields is the JSON of an agent_state event at now.
func agentStateFields(s phone.AgentStatus, now time.Time) map[string]any {
	f := map[string]any{
		"state": s.State.String(), "cause": s.Cause,
		"since": s.Since.UTC().Format(time.RFC3339), "in_state_s": round(s.InState(now).Seconds()),
	}
	if s.Reason != "" {
		f["reason"] = s.Reason
	}
	if s.State == phone.AgentAfterCall {
		f["acw_remaining_s"] = round(s.Remaining(now).Seconds())
		f["extended"] = s.Extended
		f["wrap_up_required"] = s.WrapUpRequired
		if s.WrapUp != "" {
			f["wrap_up"] = s.WrapUp
		}
	}
	return f
}

// missedFields is the JSON of the missed-call list: numbers redacted.
func missedFields(calls []phone.MissedCall) map[string]any {
	list := make([]map[string]any, 0, len(calls))
	for _, m := range calls {
		list = append(list, map[string]any{"id": m.ID, "number": redact.Number(m.Number),
			"at": m.At.UTC().Format(time.RFC3339), "count": m.Count, "not_available": m.Unavailable})
	}
	return map[string]any{"count": len(calls), "calls": list}
}
