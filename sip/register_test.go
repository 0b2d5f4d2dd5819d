package sip

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestMinExpires(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string // "" means no Min-Expires
		asked  time.Duration
		want   time.Duration
	}{
		{"raises", "600", 60 * time.Second, 600 * time.Second},
		{"spaces", " 120 ", 60 * time.Second, 120 * time.Second},
		{"missing", "", 60 * time.Second, 0},
		{"garbage", "soon", 60 * time.Second, 0},
		{"zero", "0", 60 * time.Second, 0},
		{"not above asked", "60", 60 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := sip.NewResponse(423, "Interval Too Brief")
			if tc.header != "" {
				res.AppendHeader(sip.NewHeader("Min-Expires", tc.header))
			}
			got, err := minExpires(res, tc.asked)
			if tc.want == 0 {
				var se *StatusError
				if !errors.As(err, &se) || se.Code != 423 {
					t.Fatalf("minExpires = %v, %v; want a 423 StatusError", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("minExpires = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
