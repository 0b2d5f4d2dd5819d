package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/config"
)

// The workday's settings come from the machine policy or the signed
// bundle: an agent cannot shorten after-call work, add a reason code or
// change how calls are refused; they may only require a wrap-up of
// themselves or keep fewer missed calls for less long.
func TestWorkdayFromPolicy(t *testing.T) {
	user := config.Default()
	user.Workday.NotReadyReasons = []string{"break", "smoking"}
	user.Workday.AfterCallWork = 0
	user.Workday.RefuseWith = "dnd"
	user.Workday.PauseCode = "*99"
	user.Workday.WrapUpRequired = false
	user.Workday.MissedCalls = 10
	user.Workday.MissedCallsFor = time.Hour

	doc, err := ParseTOML([]byte(`[workday]
not_ready_reasons = ["break", "training", "meeting"]
after_call_work = "30s"
wrap_up_required = true
refuse_with = "busy"
pause_code = "*72"
unpause_code = "*73"
missed_calls = 20
missed_calls_for = "4h"
`), "/etc/softphone/policy.toml")
	require.NoError(t, err)

	t.Run("machine policy wins where the user would loosen", func(t *testing.T) {
		eff, err := Merge(user, SourcedDoc{Doc: doc, Source: SourceMachine})
		require.NoError(t, err)
		w := eff.Config.Workday
		require.Equal(t, []string{"break", "training", "meeting"}, w.NotReadyReasons)
		require.Equal(t, 30*time.Second, w.AfterCallWork)
		require.True(t, w.WrapUpRequired)
		require.Equal(t, "busy", w.RefuseWith)
		require.Equal(t, "*72", w.PauseCode)
		require.Equal(t, "*73", w.UnpauseCode)
		// The user's tighter history stands, bound by the policy.
		require.Equal(t, 10, w.MissedCalls)
		require.Equal(t, time.Hour, w.MissedCallsFor)
		for _, k := range []string{"workday.not_ready_reasons", "workday.after_call_work", "workday.refuse_with", "workday.pause_code", "workday.missed_calls"} {
			v, ok := eff.Get(k)
			require.True(t, ok, k)
			require.True(t, v.Locked(), k)
		}
		v, _ := eff.Get("workday.refuse_with")
		require.Equal(t, SourceMachine, v.Source)
		require.Equal(t, "dnd", v.Ignored)
		require.Contains(t, eff.String(), `workday.refuse_with`)
		require.Contains(t, eff.String(), `"busy"`)
	})
	t.Run("a signed bundle governs too, the machine has the last word", func(t *testing.T) {
		m, err := ParseTOML([]byte("[workday]\nafter_call_work = \"45s\"\n"), "/etc/softphone/policy.toml")
		require.NoError(t, err)
		eff, err := Merge(user, SourcedDoc{Doc: doc, Source: SourceBundle}, SourcedDoc{Doc: m, Source: SourceMachine})
		require.NoError(t, err)
		require.Equal(t, 45*time.Second, eff.Config.Workday.AfterCallWork)
		require.Equal(t, "*72", eff.Config.Workday.PauseCode)
		v, _ := eff.Get("workday.pause_code")
		require.Equal(t, SourceBundle, v.Source)
	})
	t.Run("no policy: the user's values stand, unlocked", func(t *testing.T) {
		eff, err := Merge(user)
		require.NoError(t, err)
		require.Equal(t, "dnd", eff.Config.Workday.RefuseWith)
		v, _ := eff.Get("workday.refuse_with")
		require.False(t, v.Locked())
	})
	t.Run("bad policy values are errors", func(t *testing.T) {
		for _, bad := range []string{
			"refuse_with = \"hangup\"",
			"after_call_work = \"2h\"",
			"pause_code = \"*72; rm\"",
			"missed_calls = -1",
		} {
			d, err := ParseTOML([]byte("[workday]\n"+bad+"\n"), "bad.toml")
			require.NoError(t, err)
			_, err = Merge(user, SourcedDoc{Doc: d, Source: SourceMachine})
			require.ErrorContains(t, err, "workday.", bad)
		}
	})
}
