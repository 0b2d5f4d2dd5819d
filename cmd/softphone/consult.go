package main

import (
	"context"
	"errors"

	"softphone/phone"
)

// applyConsultCommand applies the attended-transfer stdin commands to the
// current call id: {"command":"consult","target":"3000"} (customer on
// hold, consultation placed), {"command":"transfer_complete"} and
// {"command":"consult_cancel"}. handled is false for other commands.
func applyConsultCommand(ctx context.Context, ag *phone.Agent, id string, consult *string, cmd stdinCommand) (bool, error) {
	switch cmd.Command {
	case "consult", "transfer_complete", "consult_cancel":
	default:
		return false, nil
	}
	if id == "" {
		return true, errNoCall
	}
	if cmd.Command == "consult" {
		cid, err := ag.Consult(ctx, id, cmd.Target)
		if err == nil {
			*consult = cid
		}
		return true, err
	}
	if *consult == "" {
		return true, errors.New("no consultation: send consult first")
	}
	cid := *consult
	*consult = ""
	if cmd.Command == "transfer_complete" {
		return true, ag.CompleteTransfer(ctx, id, cid)
	}
	return true, ag.CancelConsult(ctx, id, cid)
}
