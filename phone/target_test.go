package phone

import "testing"

func TestTargetURI(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{"extension", "echo", "sip:echo@pbx.test", false},
		{"digits", "1002", "sip:1002@pbx.test", false},
		{"pasted international", "+49 (201) 809-000", "sip:+49201809000@pbx.test", false},
		{"national with slash", "0201/80900", "sip:020180900@pbx.test", false},
		{"dots", "0201.809.00", "sip:020180900@pbx.test", false},
		{"tel uri", "tel:+49-201-80900;phone-context=x", "sip:+4920180900@pbx.test", false},
		{"sip uri passes", "sip:alice@example.com", "sip:alice@example.com", false},
		{"sips uri passes", "sips:bob@example.com", "sips:bob@example.com", false},
		{"star code", "*43", "sip:*43@pbx.test", false},
		{"empty", "  ", "", true},
		{"sip without host", "sip:alice", "", true},
		{"garbage", "a<b>c", "", true},
		{"only separators", "()-", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TargetURI(tt.in, "pbx.test")
			if (err != nil) != tt.wantErr {
				t.Fatalf("TargetURI(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Fatalf("TargetURI(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
