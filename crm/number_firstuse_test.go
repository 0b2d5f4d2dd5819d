package crm

import (
	"sync"
	"testing"

	"softphone/internal/testchild"
)

// TestNormalizeConcurrentFirstUse: the phone-number metadata is parsed on
// first use (third_party/phonenumbers), not at start, so the first calls
// may come from several goroutines at once (two calls ringing). The check
// runs in a fresh child process, where these calls really are the first;
// under -race a racy lazy load fails the child.
func TestNormalizeConcurrentFirstUse(t *testing.T) {
	if testchild.Is("TestNormalizeConcurrentFirstUse") {
		firstUseChild(t)
		return
	}
	testchild.Run(t, "TestNormalizeConcurrentFirstUse")
}

func firstUseChild(t *testing.T) {
	cases := []struct{ raw, region, want string }{
		{"0201 80900", "DE", "+4920180900"},
		{"+44 20 7946 0958", "DE", "+442079460958"},
		{"(415) 555-0132", "US", "+14155550132"},
		{"0049 201 80900", "DE", "+4920180900"},
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(c struct{ raw, region, want string }) {
			defer wg.Done()
			got, err := Normalize(c.raw, c.region)
			if err != nil || got != c.want {
				errs <- c.raw + ": got " + got
			}
		}(cases[i%len(cases)])
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
