package phone

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"softphone/config"
)

func TestSupervisorKeysFromConfigAndVerify(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	id := KeyID(pub)
	keys, err := SupervisorKeysFromConfig(config.Supervisors{Keys: map[string]config.SupervisorKey{
		id: {Name: "Sam", PublicKey: base64.StdEncoding.EncodeToString(pub)}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SupervisorKeysFromConfig(config.Supervisors{Keys: map[string]config.SupervisorKey{
		"wrong-id": {Name: "Sam", PublicKey: base64.StdEncoding.EncodeToString(pub)}}}); err == nil {
		t.Fatal("a key listed under another ID was accepted")
	}
	signer, err := NewSupervisorSigner("Sam", base64.StdEncoding.EncodeToString(priv.Seed()))
	if err != nil || signer.KeyID != id {
		t.Fatalf("signer %+v, %v", signer, err)
	}
	a, err := New(Config{Settings: testSettings(), SupervisorKeys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	now := time.Now()
	cmd := SupervisorCommand{V: 1, Action: "recording", Agent: a.Settings().Account.User, KeyID: id,
		Nonce: "00112233445566778899aabbccddeeff", TS: now.Unix()}
	cmd.Sig = ed25519.Sign(signer.Key, cmd.signedBytes())
	for _, tc := range []struct {
		name   string
		mutate func(*SupervisorCommand)
		want   error
	}{
		{"valid", func(*SupervisorCommand) {}, nil},
		{"replayed nonce", func(*SupervisorCommand) {}, ErrCommandReplayed},
		{"other agent", func(c *SupervisorCommand) { c.Agent = "9999" }, ErrCommandForged},
		{"unknown key", func(c *SupervisorCommand) { c.KeyID = "0000000000000000" }, ErrCommandForged},
		{"tampered", func(c *SupervisorCommand) { c.On = true }, ErrCommandForged},
	} {
		c := cmd
		tc.mutate(&c)
		if _, err := a.verifySupervisor(c, now); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
