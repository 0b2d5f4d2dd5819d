package sip

import (
	"context"
	"errors"
	"net/url"

	"github.com/emiago/sipgo/sip"
)

// ReferReplaces completes an attended transfer (RFC 5589 §7): it asks the
// far end of d (the customer, on hold) to call the far end of consult
// (the colleague we consulted) with a Replaces header (RFC 3891) naming
// the consult dialog, so that the colleague swaps our leg for the
// customer's. It returns once the far end of d accepts the REFER.
func (d *Dialog) ReferReplaces(ctx context.Context, consult *Dialog) error {
	if d.ended() || consult.ended() {
		return ErrCallEnded
	}
	to, err := consult.replacesURI()
	if err != nil {
		return err
	}
	return d.refer(ctx, to)
}

// dialogTags returns the Call-ID, our tag and the far end's tag of d, and
// the far end's address of record.
func (d *Dialog) dialogTags() (callID, local, remote string, aor sip.Uri, err error) {
	var req *sip.Request
	var res *sip.Response
	if d.client != nil {
		req, res = d.client.InviteRequest, d.client.InviteResponse
	} else {
		req, res = d.server.InviteRequest, d.server.InviteResponse
	}
	if req == nil || res == nil || req.CallID() == nil || req.From() == nil || res.To() == nil {
		return "", "", "", sip.Uri{}, errors.New("dialog is not established")
	}
	callID = req.CallID().Value()
	from, _ := req.From().Params.Get("tag")
	to, _ := res.To().Params.Get("tag")
	if d.client != nil {
		return callID, from, to, *req.To().Address.Clone(), nil
	}
	return callID, to, from, *req.From().Address.Clone(), nil
}

// replacesURI is the Refer-To of an attended transfer: the consulted
// party's address with a Replaces header for the consult dialog, tags seen
// from the party that will receive it (RFC 3891 §3: to-tag is its local
// tag, that is the far end's tag here; from-tag is ours).
func (d *Dialog) replacesURI() (string, error) {
	callID, local, remote, aor, err := d.dialogTags()
	if err != nil {
		return "", err
	}
	aor.UriParams = nil
	aor.Headers = nil
	return aor.String() + "?Replaces=" + url.QueryEscape(callID+";to-tag="+remote+";from-tag="+local), nil
}
