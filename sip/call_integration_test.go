package sip_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"softphone/internal/testpeer"
	"softphone/sip"
)

func register(t testing.TB, k *testpeer.Kamailio, user, pw string) *sip.UA {
	t.Helper()
	ua := newUA(t, uaConfig(t, k, user, pw))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ua.Register(ctx); err != nil {
		t.Fatalf("Register %s: %v", user, err)
	}
	return ua
}

func waitDone(t testing.TB, d *sip.Dialog, timeout time.Duration) {
	t.Helper()
	select {
	case <-d.Done():
	case <-time.After(timeout):
		t.Fatalf("dialog did not end within %v", timeout)
	}
}

// incomingCalls delivers OnInvite callbacks on a channel.
func incomingCalls(ua *sip.UA) <-chan *sip.Incoming {
	ch := make(chan *sip.Incoming, 4)
	ua.OnInvite(func(in *sip.Incoming) { ch <- in })
	return ch
}

func nextIncoming(t testing.TB, ch <-chan *sip.Incoming, timeout time.Duration) *sip.Incoming {
	t.Helper()
	select {
	case in := <-ch:
		return in
	case <-time.After(timeout):
		t.Fatalf("no incoming call within %v", timeout)
		return nil
	}
}

func TestCallsWithBaresip(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw", "bob": "bob-pw", "carol": "carol-pw"})
	bob := testpeer.StartBaresip(t, k, "bob", "bob-pw", testpeer.BaresipOptions{AutoAnswer: true})
	carol := testpeer.StartBaresip(t, k, "carol", "carol-pw", testpeer.BaresipOptions{})
	alice := register(t, k, "alice", "alice-pw")
	calls := incomingCalls(alice)

	t.Run("dial, hold, bye", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var progress []int
		var pmu sync.Mutex
		port := rtpPort(t)
		d, err := alice.Dial(ctx, "sip:bob@"+k.Domain, testOffer(t, port, "sendrecv"), func(code int, _ []byte) {
			pmu.Lock()
			progress = append(progress, code)
			pmu.Unlock()
		})
		if err != nil {
			t.Fatalf("Dial bob: %v", err)
		}
		ans := d.RemoteSDP()
		if !bytes.Contains(ans, []byte("RTP/SAVP")) || !bytes.Contains(ans, []byte("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:")) {
			t.Fatalf("answer is not SRTP with our suite:\n%s", ans)
		}
		bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
		bob.WaitLog(t, `SRTP is Enabled`, 5*time.Second)

		if err := d.SendInfoDTMF('5'); err != nil {
			t.Errorf("INFO DTMF to baresip: %v", err)
		}
		if ev := bob.WaitEvent(t, "CALL_DTMF_START", 5*time.Second); ev.Param != "5" {
			t.Errorf("baresip received DTMF %q, want 5", ev.Param)
		}
		hold, err := d.ReInvite(ctx, testOffer(t, port, "sendonly"))
		if err != nil {
			t.Fatalf("re-INVITE (hold): %v", err)
		}
		if !bytes.Contains(hold, []byte("a=recvonly")) && !bytes.Contains(hold, []byte("a=inactive")) {
			t.Errorf("hold answer is neither recvonly nor inactive:\n%s", hold)
		}
		if _, err := d.ReInvite(ctx, testOffer(t, port, "sendrecv")); err != nil {
			t.Fatalf("re-INVITE (resume): %v", err)
		}

		if err := d.Bye(ctx); err != nil {
			t.Fatalf("Bye: %v", err)
		}
		waitDone(t, d, time.Second)
		if d.Reason() != "local hangup" {
			t.Errorf("Reason = %q, want local hangup", d.Reason())
		}
		bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
		if err := d.Bye(ctx); !errors.Is(err, sip.ErrCallEnded) {
			t.Errorf("second Bye = %v, want ErrCallEnded", err)
		}
	})

	t.Run("incoming over the registered flow, remote hangup", func(t *testing.T) {
		bob.Dial(t, "sip:alice@"+k.Domain)
		in := nextIncoming(t, calls, 10*time.Second)
		if in.Number != "bob" || !strings.Contains(in.From, "bob@") || in.CallID == "" {
			t.Errorf("Incoming From=%q Number=%q CallID=%q", in.From, in.Number, in.CallID)
		}
		if !bytes.Contains(in.Offer(), []byte("a=crypto:")) {
			t.Fatalf("baresip's offer has no a=crypto:\n%s", in.Offer())
		}
		if err := in.Ring(); err != nil {
			t.Fatalf("Ring: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err := in.Answer(ctx, testAnswer(t, in.Offer(), rtpPort(t)))
		if err != nil {
			t.Fatalf("Answer: %v", err)
		}
		bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
		bob.WaitLog(t, `SRTP is Enabled`, 5*time.Second)

		// baresip puts us on hold: its re-INVITE reaches OnReInvite.
		offers := make(chan []byte, 2)
		d.OnReInvite(func(offer []byte) ([]byte, error) {
			offers <- offer
			return bytes.ReplaceAll(testAnswer(t, offer, rtpPort(t)), []byte("a=sendrecv"), []byte("a=recvonly")), nil
		})
		bob.Hold(t)
		select {
		case offer := <-offers:
			if !bytes.Contains(offer, []byte("a=sendonly")) && !bytes.Contains(offer, []byte("a=inactive")) {
				t.Errorf("baresip's hold offer is not sendonly/inactive:\n%s", offer)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("baresip's hold re-INVITE did not reach OnReInvite")
		}
		// RemoteSDP changes once OnReInvite has returned the answer.
		deadline := time.Now().Add(2 * time.Second)
		for !bytes.Contains(d.RemoteSDP(), []byte("a=sendonly")) && !bytes.Contains(d.RemoteSDP(), []byte("a=inactive")) {
			if time.Now().After(deadline) {
				t.Fatal("RemoteSDP not updated by the re-INVITE")
			}
			time.Sleep(10 * time.Millisecond)
		}
		bob.Hangup(t)
		bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
		waitDone(t, d, 5*time.Second)
		if d.Reason() != "remote hangup" {
			t.Errorf("Reason = %q, want remote hangup", d.Reason())
		}
	})

	t.Run("incoming rejected busy", func(t *testing.T) {
		bob.Dial(t, "sip:alice@"+k.Domain)
		in := nextIncoming(t, calls, 10*time.Second)
		if err := in.Reject(486, "Busy Here"); err != nil {
			t.Fatalf("Reject: %v", err)
		}
		ev := bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
		if !strings.Contains(ev.Param, "486") {
			t.Errorf("baresip closed the call with %q, want 486", ev.Param)
		}
	})

	t.Run("incoming cancelled by caller", func(t *testing.T) {
		bob.Dial(t, "sip:alice@"+k.Domain)
		in := nextIncoming(t, calls, 10*time.Second)
		_ = in.Ring()
		bob.Hangup(t)
		bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
		select {
		case <-in.Cancelled():
		case <-time.After(5 * time.Second):
			t.Fatal("Cancelled() not closed after the caller hung up")
		}
		if _, err := in.Answer(context.Background(), testAnswer(t, in.Offer(), rtpPort(t))); !errors.Is(err, sip.ErrCallEnded) {
			t.Errorf("Answer after cancel = %v, want ErrCallEnded", err)
		}
	})

	t.Run("outgoing cancelled before answer", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ringing := make(chan struct{}, 1)
		errc := make(chan error, 1)
		go func() {
			_, err := alice.Dial(ctx, "sip:carol@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), func(code int, _ []byte) {
				if code == 180 || code == 183 {
					select {
					case ringing <- struct{}{}:
					default:
					}
				}
			})
			errc <- err
		}()
		carol.WaitEvent(t, "CALL_INCOMING", 10*time.Second)
		select {
		case <-ringing:
		case <-time.After(5 * time.Second):
			t.Fatal("no 180/183 progress callback")
		}
		cancel()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Dial after cancel = %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Dial did not return after cancel")
		}
		carol.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
		if !strings.Contains(k.Log(), "REQ CANCEL") {
			t.Error("Kamailio never saw our CANCEL")
		}
	})

	t.Run("plain RTP refused by srtp-mand", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		plain := bytes.Replace(testOffer(t, rtpPort(t), "sendrecv"), []byte("RTP/SAVP"), []byte("RTP/AVP"), 1)
		plain = cryptoRe.ReplaceAll(plain, []byte("a=x-nocrypto:$1 $2 "))
		_, err := alice.Dial(ctx, "sip:bob@"+k.Domain, plain, nil)
		var se *sip.StatusError
		if !errors.As(err, &se) || se.Code != 488 {
			t.Fatalf("Dial with plain RTP = %v, want 488", err)
		}
		bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	})

	t.Run("unknown user", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := alice.Dial(ctx, "sip:nobody@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), nil)
		var se *sip.StatusError
		if !errors.As(err, &se) || se.Code != 404 {
			t.Fatalf("Dial unknown user = %v, want *StatusError 404", err)
		}
	})

	t.Run("blind transfer", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d, err := alice.Dial(ctx, "sip:bob@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), nil)
		if err != nil {
			t.Fatalf("Dial bob: %v", err)
		}
		bob.WaitEvent(t, "CALL_ESTABLISHED", 5*time.Second)
		if err := d.Refer(ctx, "sip:carol@"+k.Domain); err != nil {
			t.Fatalf("Refer: %v", err)
		}
		ev := carol.WaitEvent(t, "CALL_INCOMING", 10*time.Second)
		if !strings.Contains(ev.PeerURI, "bob@") {
			t.Errorf("carol's incoming call is from %q, want bob", ev.PeerURI)
		}
		_ = d.Bye(ctx)
		carol.Hangup(t)
		carol.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
		bob.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	})
}

// TestCloseWhileRinging closes the UA during an outgoing call that is
// still ringing: Close must CANCEL it and Dial must return ErrClosed.
func TestCloseWhileRinging(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw", "carol": "carol-pw"})
	carol := testpeer.StartBaresip(t, k, "carol", "carol-pw", testpeer.BaresipOptions{})
	alice := register(t, k, "alice", "alice-pw")
	errc := make(chan error, 1)
	go func() {
		_, err := alice.Dial(context.Background(), "sip:carol@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), nil)
		errc <- err
	}()
	carol.WaitEvent(t, "CALL_INCOMING", 10*time.Second)
	if err := alice.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, sip.ErrClosed) {
			t.Errorf("Dial = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Dial did not return after Close")
	}
	carol.WaitEvent(t, "CALL_CLOSED", 5*time.Second)
	if !strings.Contains(k.Log(), "REQ CANCEL") {
		t.Error("Kamailio never saw our CANCEL")
	}
	if cs := k.Contacts(t, "alice"); len(cs) != 0 {
		t.Errorf("contacts after Close: %v", cs)
	}
}

// TestCallsBetweenUAs exercises what baresip cannot drive: INFO DTMF and
// re-INVITE in both directions, between two of our UAs via Kamailio.
func TestCallsBetweenUAs(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw", "dave": "dave-pw"})
	alice := register(t, k, "alice", "alice-pw")
	dave := register(t, k, "dave", "dave-pw")
	calls := incomingCalls(dave)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	type dialResult struct {
		d   *sip.Dialog
		err error
	}
	res := make(chan dialResult, 1)
	progress := make(chan int, 4)
	go func() {
		d, err := alice.Dial(ctx, "sip:dave@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), func(code int, _ []byte) { progress <- code })
		res <- dialResult{d, err}
	}()
	in := nextIncoming(t, calls, 5*time.Second)
	if in.Number != "alice" {
		t.Errorf("Number = %q", in.Number)
	}
	if err := in.Ring(); err != nil {
		t.Fatal(err)
	}
	// sipgo handles each response on its own goroutine: a 200 right behind
	// the 180 can overtake it, so wait for the 180 before answering.
	select {
	case code := <-progress:
		if code != 180 {
			t.Errorf("progress code = %d, want 180", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("caller saw no 180 Ringing")
	}
	dd, err := in.Answer(ctx, testAnswer(t, in.Offer(), rtpPort(t)))
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	r := <-res
	if r.err != nil {
		t.Fatalf("Dial: %v", r.err)
	}
	ad := r.d

	t.Run("INFO DTMF both ways", func(t *testing.T) {
		got := make(chan rune, 16)
		dd.OnInfoDTMF(func(r rune) { got <- r })
		ad.OnInfoDTMF(func(r rune) { got <- r })
		for _, r := range "1*#D" {
			if err := ad.SendInfoDTMF(r); err != nil {
				t.Fatalf("alice SendInfoDTMF(%q): %v", r, err)
			}
			if g := <-got; g != r {
				t.Errorf("dave got %q, want %q", g, r)
			}
		}
		if err := dd.SendInfoDTMF('9'); err != nil {
			t.Fatalf("dave SendInfoDTMF: %v", err)
		}
		if g := <-got; g != '9' {
			t.Errorf("alice got %q, want 9", g)
		}
		if err := ad.SendInfoDTMF('x'); !errors.Is(err, sip.ErrBadDTMF) {
			t.Errorf("SendInfoDTMF('x') = %v, want ErrBadDTMF", err)
		}
	})

	t.Run("re-INVITE both ways", func(t *testing.T) {
		offers := make(chan []byte, 2)
		answer := func(offer []byte) ([]byte, error) {
			offers <- offer
			return bytes.ReplaceAll(testAnswer(t, offer, 4000), []byte("a=sendrecv"), []byte("a=recvonly")), nil
		}
		dd.OnReInvite(answer)
		ad.OnReInvite(answer)
		hold := testOffer(t, 4002, "sendonly")
		ans, err := ad.ReInvite(ctx, hold)
		if err != nil {
			t.Fatalf("alice re-INVITE: %v", err)
		}
		if !bytes.Contains(ans, []byte("a=recvonly")) || !bytes.Equal(<-offers, hold) {
			t.Errorf("hold answer/offer mismatch:\n%s", ans)
		}
		if !bytes.Equal(dd.RemoteSDP(), hold) {
			t.Error("dave's RemoteSDP is not the hold offer")
		}
		if _, err := dd.ReInvite(ctx, testOffer(t, 4004, "sendonly")); err != nil {
			t.Fatalf("dave re-INVITE: %v", err)
		}
		<-offers
		dd.OnReInvite(func([]byte) ([]byte, error) { return nil, errors.New("no") })
		_, err = ad.ReInvite(ctx, hold)
		var se *sip.StatusError
		if !errors.As(err, &se) || se.Code != 488 {
			t.Errorf("rejected re-INVITE = %v, want 488", err)
		}
	})

	t.Run("bye from callee", func(t *testing.T) {
		if err := dd.Bye(ctx); err != nil {
			t.Fatalf("dave Bye: %v", err)
		}
		waitDone(t, ad, 5*time.Second)
		if ad.Reason() != "remote hangup" || dd.Reason() != "local hangup" {
			t.Errorf("reasons: alice %q, dave %q", ad.Reason(), dd.Reason())
		}
	})

	t.Run("busy callee", func(t *testing.T) {
		dave.OnInvite(func(in *sip.Incoming) { go func() { _ = in.Reject(486, "Busy Here") }() })
		_, err := alice.Dial(ctx, "sip:dave@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), nil)
		var se *sip.StatusError
		if !errors.As(err, &se) || se.Code != 486 || !se.Busy() {
			t.Fatalf("Dial busy dave = %v, want *StatusError 486", err)
		}
	})

	t.Run("wrong password on INVITE", func(t *testing.T) {
		// Register with the right password, then call with a wrong one: the
		// 407 for the INVITE must come back as ErrAuthFailed.
		ua := newUA(t, uaConfig(t, k, "alice", "wrong"))
		if err := ua.Register(ctx); !errors.Is(err, sip.ErrAuthFailed) {
			t.Fatalf("Register with wrong password = %v", err)
		}
		_, err := ua.Dial(ctx, "sip:dave@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), nil)
		if !errors.Is(err, sip.ErrAuthFailed) {
			t.Fatalf("Dial with wrong password = %v, want ErrAuthFailed", err)
		}
	})
}

// TestCallOverPlainTransports places a call between two of our UAs over
// TCP and over UDP (no SRTP keys would be allowed: Secure is false).
func TestCallOverPlainTransports(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw", "dave": "dave-pw"})
	for _, tr := range []struct{ name, addr string }{{"tcp", k.TCPAddr}, {"udp", k.UDPAddr}} {
		t.Run(tr.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			uas := map[string]*sip.UA{}
			for _, u := range []string{"alice", "dave"} {
				cfg := uaConfig(t, k, u, u+"-pw")
				cfg.Transport, cfg.Server, cfg.RootCAs = tr.name, tr.addr, nil
				uas[u] = newUA(t, cfg)
				if err := uas[u].Register(ctx); err != nil {
					t.Fatalf("Register %s: %v", u, err)
				}
			}
			calls := incomingCalls(uas["dave"])
			res := make(chan error, 1)
			var ad *sip.Dialog
			go func() {
				var err error
				ad, err = uas["alice"].Dial(ctx, "sip:dave@"+k.Domain, []byte("v=0\r\n"), nil)
				res <- err
			}()
			in := nextIncoming(t, calls, 5*time.Second)
			dd, err := in.Answer(ctx, []byte("v=0\r\n"))
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			if err := <-res; err != nil {
				t.Fatalf("Dial: %v", err)
			}
			if err := ad.Bye(ctx); err != nil {
				t.Fatalf("Bye: %v", err)
			}
			waitDone(t, dd, 5*time.Second)
			if dd.Reason() != "remote hangup" {
				t.Errorf("Reason = %q", dd.Reason())
			}
		})
	}
}
