package policy

import (
	"fmt"

	"howett.net/plist"
)

// ParsePlist reads a policy from a property list (XML or binary), as macOS
// managed preferences store it: policy keys ("media.allow_plain_rtp") at the
// top level, or nested dictionaries of them.
func ParsePlist(b []byte, where string) (Doc, error) {
	var raw map[string]any
	if _, err := plist.Unmarshal(b, &raw); err != nil {
		return Doc{}, fmt.Errorf("managed preferences %s: %w", where, err)
	}
	flat := map[string]any{}
	flatten("", raw, flat)
	for k, v := range flat {
		switch n := v.(type) {
		case uint64:
			flat[k] = int64(n)
		case float64:
			flat[k] = int64(n)
		}
	}
	return FromMap(flat, where)
}
