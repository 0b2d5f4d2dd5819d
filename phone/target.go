package phone

import (
	"fmt"
	"strings"
)

// TargetURI turns what an agent typed or pasted (or a clicked tel: link)
// into a SIP request URI in domain, cleaned by CleanNumber: SIP URIs pass
// through (they need a host), user@host gets "sip:", and numbers and
// extensions ("echo", "1002") get the domain.
func TargetURI(input, domain string) (string, error) {
	s, err := CleanNumber(input)
	if err != nil {
		return "", fmt.Errorf("%q: %w", input, err)
	}
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(low, "sip:"), strings.HasPrefix(low, "sips:"):
		if !strings.Contains(s, "@") {
			return "", fmt.Errorf("%q has no host", s)
		}
		return s, nil
	case strings.Contains(s, "@"):
		return "sip:" + s, nil
	}
	return "sip:" + s + "@" + domain, nil
}
