package phone

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRunEndedPrefersTheCallsCause(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cause  error // nil: the call context is still live
		runErr error
		want   string
	}{
		{"local hangup races Run's return", errLocalHangup, nil, errLocalHangup.Error()},
		{"transfer races Run's return", errTransferred, nil, errTransferred.Error()},
		{"hangup while Run failed", errLocalHangup, errors.New("srtp: auth failed"), errLocalHangup.Error()},
		{"Run stopped on its own", nil, nil, "media failed: media stopped"},
		{"Run failed on its own", nil, errors.New("socket closed"), "media failed: socket closed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			if tc.cause != nil {
				cancel(tc.cause)
			}
			c := &call{ctx: ctx, cancel: cancel}
			if got := c.runEnded(tc.runErr).Error(); !strings.EqualFold(got, tc.want) {
				t.Fatalf("reason %q, want %q", got, tc.want)
			}
		})
	}
}
