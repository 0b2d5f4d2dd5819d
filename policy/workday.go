package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"softphone/config"
)

// The agent's workday (issue 13) is the employer's to set: reason codes
// and after-call work feed the contact centre's reporting, the refusal
// mode and feature codes must match the PBX. A mandatory document locks
// them; only the wrap-up requirement and the missed-call history (privacy)
// may be made tighter by the user.

// trueTighter: "true" is tighter (a wrap-up code required).
var trueTighter = rank(map[string]int{"true": 0, "false": 1}, 1)

func workdaySettings() []setting {
	return []setting{
		{key: "workday.not_ready_reasons", // locked: reporting needs the employer's codes
			get: func(c *config.Config) string { return joinList(c.Workday.NotReadyReasons) },
			set: func(c *config.Config, v string) error {
				l := splitList(v)
				for i, r := range l {
					l[i] = strings.TrimSpace(r)
					if l[i] == "" {
						return fmt.Errorf("%q: empty reason code", v)
					}
				}
				c.Workday.NotReadyReasons = l
				return nil
			}},
		{key: "workday.after_call_work", // locked: neither shorter nor longer
			get: func(c *config.Config) string { return c.Workday.AfterCallWork.String() },
			set: func(c *config.Config, v string) (err error) {
				c.Workday.AfterCallWork, err = checkDur(v)
				if err == nil && c.Workday.AfterCallWork > time.Hour {
					err = fmt.Errorf("%q: want 0 to 1h", v)
				}
				return
			}},
		{key: "workday.wrap_up_required", tight: trueTighter,
			get: func(c *config.Config) string { return strconv.FormatBool(c.Workday.WrapUpRequired) },
			set: func(c *config.Config, v string) (err error) { c.Workday.WrapUpRequired, err = checkBool(v); return }},
		{key: "workday.refuse_with", // locked: the PBX's queue expects one
			get: func(c *config.Config) string { return c.Workday.RefuseWith },
			set: func(c *config.Config, v string) error {
				if v != "busy" && v != "dnd" {
					return fmt.Errorf("%q: want busy or dnd", v)
				}
				c.Workday.RefuseWith = v
				return nil
			}},
		featureCode("workday.pause_code", func(c *config.Config) *string { return &c.Workday.PauseCode }),
		featureCode("workday.unpause_code", func(c *config.Config) *string { return &c.Workday.UnpauseCode }),
		{key: "workday.missed_calls", tight: fewerKept,
			get: func(c *config.Config) string { return strconv.Itoa(c.Workday.MissedCalls) },
			set: func(c *config.Config, v string) (err error) {
				c.Workday.MissedCalls, err = strconv.Atoi(v)
				if err != nil || c.Workday.MissedCalls < 0 {
					return fmt.Errorf("%q: want a number ≥ 0", v)
				}
				return nil
			}},
		{key: "workday.missed_calls_for", tight: durOrder(false),
			get: func(c *config.Config) string { return c.Workday.MissedCallsFor.String() },
			set: func(c *config.Config, v string) (err error) { c.Workday.MissedCallsFor, err = checkDur(v); return }},
	}
}

// featureCode is a locked dial string of digits, * and # ("" for none).
func featureCode(key string, get func(*config.Config) *string) setting {
	g, _ := str(get)
	return setting{key: key, get: g, set: func(c *config.Config, v string) error {
		if strings.Trim(v, "0123456789*#") != "" || len(v) > 16 {
			return fmt.Errorf("%q: want a feature code of digits, * and # (e.g. *72)", v)
		}
		*get(c) = v
		return nil
	}}
}

// fewerKept: keeping fewer missed calls is tighter (0 keeps none).
func fewerKept(a, b string) int {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return cmpInt(int64(x), int64(y))
}
