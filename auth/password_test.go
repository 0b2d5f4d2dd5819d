package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	enc, err := hashPassword("correct horse", testHash)
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`, enc,
		"parameters recorded with the hash")
	h, err := parseHash(enc)
	require.NoError(t, err)
	assert.True(t, h.verify("correct horse"))
	assert.False(t, h.verify("correct horsE"))
	assert.False(t, h.verify(""))
	assert.False(t, h.outdated(testHash))
	assert.True(t, h.outdated(DefaultHashParams))

	enc2, err := hashPassword("correct horse", testHash)
	require.NoError(t, err)
	assert.NotEqual(t, enc, enc2, "fresh salt each time")
}

// A hash in the PHC format libargon2 and argon2-cffi print (password
// "password", salt "somesalt", t=2, m=64 MiB, p=1): profiles hashed
// elsewhere, or by a later version of this code, still verify.
func TestPasswordHashExternalPHC(t *testing.T) {
	const phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	h, err := parseHash(phc)
	require.NoError(t, err)
	assert.True(t, h.verify("password"))
	assert.False(t, h.verify("Password"))
}

func TestParseHashRejects(t *testing.T) {
	good, err := hashPassword("x", testHash)
	require.NoError(t, err)
	parts := strings.Split(good, "$")
	join := func(p ...string) string { return strings.Join(p, "$") }
	tests := map[string]string{
		"empty":              "",
		"argon2i":            join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"bcrypt":             "$2a$10$abcdefghijklmnopqrstuu",
		"old version":        join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"missing p":          join("", "argon2id", parts[2], "m=1024,t=1", parts[4], parts[5]),
		"extra param":        join("", "argon2id", parts[2], parts[3]+",x=1", parts[4], parts[5]),
		"huge memory":        join("", "argon2id", parts[2], "m=4294967295,t=1,p=1", parts[4], parts[5]),
		"zero time":          join("", "argon2id", parts[2], "m=1024,t=0,p=1", parts[4], parts[5]),
		"bad salt base64":    join("", "argon2id", parts[2], parts[3], "!!!", parts[5]),
		"short key":          join("", "argon2id", parts[2], parts[3], parts[4], "AAAA"),
		"too many fields":    good + "$x",
		"negative parameter": join("", "argon2id", parts[2], "m=-1,t=1,p=1", parts[4], parts[5]),
	}
	for name, s := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := parseHash(s)
			assert.ErrorIs(t, err, ErrBadHash)
		})
	}
}

func TestRoleCan(t *testing.T) {
	all := []Permission{PermReveal, PermRecordingPause, PermRecordingControl, PermPlayback, PermLegalHold, PermAdmin}
	want := map[Role][]Permission{
		RoleAgent:      {PermReveal, PermRecordingPause},
		RoleSupervisor: {PermReveal, PermRecordingPause, PermRecordingControl, PermPlayback},
		RoleAdmin:      {PermLegalHold, PermAdmin},
		Role("root"):   nil,
	}
	for role, perms := range want {
		for _, p := range all {
			allowed := false
			for _, q := range perms {
				allowed = allowed || q == p
			}
			assert.Equal(t, allowed, role.Can(p), "%s can %s", role, p)
		}
	}
	for _, s := range []string{"agent", "supervisor", "admin"} {
		r, err := ParseRole(s)
		require.NoError(t, err)
		assert.Equal(t, s, r.String())
	}
	_, err := ParseRole("Admin")
	assert.ErrorIs(t, err, ErrInvalidRole)
}

func TestValidProfileName(t *testing.T) {
	for name, ok := range map[string]bool{
		"alice": true, "agent-07": true, "a.b_c": true, "7": true, strings.Repeat("a", 64): true,
		"": false, "Alice": false, "../x": false, "a/b": false, ".hidden": false, "-x": false,
		strings.Repeat("a", 65): false, "con": false, "nul.txt": false, "com1": false, "console": true,
		"al ice": false, "alice\n": false, "ä": false,
	} {
		err := ValidProfileName(name)
		if ok {
			assert.NoError(t, err, "%q", name)
		} else {
			assert.ErrorIs(t, err, ErrInvalidProfileName, "%q", name)
		}
	}
}
