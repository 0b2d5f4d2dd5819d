package phone

import (
	"strings"
	"testing"
)

func TestParsePresenceBodies(t *testing.T) {
	open, note := parsePIDF(pidf("sip:1@x", true, "available"))
	if !open || note != "available" {
		t.Fatalf("own PIDF read back as %v %q", open, note)
	}
	if open, note := parsePIDF([]byte(`<presence><tuple id="t"><status><basic>closed</basic></status></tuple><note>lunch</note></presence>`)); open || note != "lunch" {
		t.Fatalf("closed PIDF: %v %q", open, note)
	}
	for _, st := range []DialogState{DialogIdle, DialogRinging, DialogInCall} {
		if got := parseDialogInfo(dialogInfo("sip:1@x", st)); got != st {
			t.Errorf("dialog-info %v read back as %v", st, got)
		}
	}
	// Hostile or broken bodies never crash and say nothing.
	for _, b := range []string{"", "<", "<presence><tuple>", "\x00\xff", `<dialog-info><dialog><state>`} {
		if open, _ := parsePIDF([]byte(b)); open {
			t.Errorf("PIDF %q read as open", b)
		}
		if st := parseDialogInfo([]byte(b)); st == DialogInCall || st == DialogRinging {
			t.Errorf("dialog-info %q read as %v", b, st)
		}
	}
	if x := string(pidf("sip:1@x", false, `<b>&"`)); !strings.Contains(x, "&lt;b&gt;&amp;&#34;") {
		t.Errorf("note not escaped: %s", x)
	}
}
