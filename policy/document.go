package policy

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Doc is one policy document: key → value, lists joined with ",".
type Doc struct {
	// Where says where it was read ("/etc/softphone/policy.toml",
	// "HKLM\Software\Policies\Softphone", "bundle v12 from https://…").
	Where  string
	Values map[string]string
}

// ParseTOML reads a policy document in the configuration's TOML layout.
// Unknown keys are errors: a typo must not silently leave a desk open.
func ParseTOML(b []byte, where string) (Doc, error) {
	var raw map[string]any
	if _, err := toml.Decode(string(b), &raw); err != nil {
		return Doc{}, fmt.Errorf("policy %s: %w", where, err)
	}
	vals := map[string]any{}
	flatten("", raw, vals)
	return FromMap(vals, where)
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}

// FromMap builds a document from flat keys with TOML-like values (string,
// bool, int64, time.Duration, []any or []string), as the registry and the
// plist readers produce them.
func FromMap(m map[string]any, where string) (Doc, error) {
	known := Keys()
	d := Doc{Where: where, Values: map[string]string{}}
	for k, v := range m {
		if !slices.Contains(known, k) {
			return Doc{}, fmt.Errorf("policy %s: unknown key %q", where, k)
		}
		s, err := valueString(v)
		if err != nil {
			return Doc{}, fmt.Errorf("policy %s: %s: %w", where, k, err)
		}
		d.Values[k] = s
	}
	return d, nil
}

func valueString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case time.Duration:
		return x.String(), nil
	case []string:
		return joinList(x), nil
	case []any:
		var l []string
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("list of %T: want strings", e)
			}
			l = append(l, strings.TrimSpace(s))
		}
		return joinList(l), nil
	}
	return "", fmt.Errorf("unsupported value type %T", v)
}

// sortedKeys returns the document's keys in order.
func (d Doc) sortedKeys() []string {
	ks := make([]string, 0, len(d.Values))
	for k := range d.Values {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
