package phone

import (
	"context"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

type transferRig struct {
	k                  *testpeer.Kamailio
	customer, expert   *testpeer.Baresip
	agent              *Agent
	events             *eventLog
	customerID, consID string
}

// newTransferRig: the agent (1000) talks to the customer (baresip 2000),
// then consults the expert (baresip 3000) while the customer is on hold.
func newTransferRig(t *testing.T) *transferRig {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	r := &transferRig{k: testpeer.StartKamailioWith(t, map[string]string{"1000": "agentpw", "2000": "custpw", "3000": "exppw"},
		testpeer.KamailioOptions{Debug: 3})}
	r.customer = testpeer.StartBaresip(t, r.k, "2000", "custpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	r.expert = testpeer.StartBaresip(t, r.k, "3000", "exppw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 880})
	r.agent = newAgent(t, r.k, "1000", nil, &toneEndpoints{hz: 1000, sink: &pcmSink{}})
	r.events = watchAgent(t, r.agent)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.agent.Register(ctx, "agentpw"); err != nil {
		t.Fatal(err)
	}
	var err error
	if r.customerID, err = r.agent.Dial(ctx, "2000"); err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "customer call active", 15*time.Second, callState(r.customerID, CallActive))
	if r.consID, err = r.agent.Consult(ctx, r.customerID, "3000"); err != nil {
		t.Fatal(err)
	}
	held := r.events.waitFor(t, "customer held", 5*time.Second, callState(r.customerID, CallHeld)).(CallChanged)
	if !held.Call.LocalHold {
		t.Fatalf("customer call %+v", held.Call)
	}
	r.events.waitFor(t, "consult call active", 15*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		return ok && c.Call.ID == r.consID && c.Call.State == CallActive && c.Call.ConsultFor == r.customerID
	})
	r.expert.WaitEvent(t, "CALL_ESTABLISHED", 10*time.Second)
	return r
}

func TestConsultThenCancelBackToCustomer(t *testing.T) {
	checkLeaks(t)
	r := newTransferRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.agent.CompleteTransfer(ctx, r.consID, r.customerID); err == nil {
		t.Fatal("CompleteTransfer accepted the calls the wrong way round")
	}
	if err := r.agent.CancelConsult(ctx, r.customerID, r.consID); err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "consult ended", 10*time.Second, callState(r.consID, CallEnded))
	r.events.waitFor(t, "customer resumed", 10*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		return ok && c.Call.ID == r.customerID && c.Call.State == CallActive && !c.Call.LocalHold
	})
}

func TestAttendedTransferConnectsCustomerAndExpert(t *testing.T) {
	checkLeaks(t)
	r := newTransferRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := r.agent.CompleteTransfer(ctx, r.customerID, r.consID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{r.customerID, r.consID} {
		end := r.events.waitFor(t, "leg ended", 15*time.Second, callState(id, CallEnded)).(CallChanged)
		if end.Call.EndReason != errTransferred.Error() && !strings.Contains(strings.ToLower(end.Call.EndReason), "remote") {
			t.Fatalf("call %s ended with %q", id, end.Call.EndReason)
		}
	}
	// The customer followed the REFER to the expert: the expert has a
	// second established call, from the customer.
	in := r.expert.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	if !strings.Contains(in.PeerURI, "2000") {
		t.Fatalf("expert's new call is from %q, want the customer 2000", in.PeerURI)
	}
	// The REFER named the consult dialog (RFC 3891): Kamailio logged it.
	refer := r.k.WaitLog(t, `Replaces=[^>\n]*`, 5*time.Second)
	if !strings.Contains(refer, "to-tag") || !strings.Contains(refer, "from-tag") {
		t.Fatalf("Refer-To lacks the dialog tags: %q", refer)
	}
	// baresip 1.0 follows the REFER without the Replaces header, so our
	// consult leg is hung up by us after consultGrace (see the report).
}
