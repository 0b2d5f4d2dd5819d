package crm

import (
	"encoding/json"
	"strconv"
	"strings"
)

// lookupPath returns every value at a dotted path in a decoded JSON
// document: "data.items" is a key chain, a number indexes an array
// ("items.0.id"), and "*" walks every element of an array or object
// ("phones.*.number"). Keys that contain a dot cannot be addressed. A
// missing step yields nothing.
func lookupPath(v any, path string) []any {
	if path == "" {
		return []any{v}
	}
	cur := []any{v}
	for _, seg := range strings.Split(path, ".") {
		var next []any
		for _, c := range cur {
			switch t := c.(type) {
			case map[string]any:
				if seg == "*" {
					for _, e := range t {
						next = append(next, e)
					}
				} else if e, ok := t[seg]; ok {
					next = append(next, e)
				}
			case []any:
				if seg == "*" {
					next = append(next, t...)
				} else if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(t) {
					next = append(next, t[i])
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		cur = next
	}
	return cur
}

// scalar turns a JSON scalar into text; objects, arrays and null give "".
func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	}
	return ""
}

// scalars flattens values into texts: an array of scalars counts as its
// elements; empty texts are dropped.
func scalars(vs []any) []string {
	var out []string
	for _, v := range vs {
		if a, ok := v.([]any); ok {
			out = append(out, scalars(a)...)
			continue
		}
		if s := strings.TrimSpace(scalar(v)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// firstScalar is the first non-empty text at path.
func firstScalar(v any, path string) string {
	if path == "" {
		return ""
	}
	if s := scalars(lookupPath(v, path)); len(s) > 0 {
		return s[0]
	}
	return ""
}
