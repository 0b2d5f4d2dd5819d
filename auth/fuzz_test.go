package auth

import "testing"

// Fuzz targets for everything read from disk. Seed corpora are checked in
// under testdata/fuzz/; run e.g. go test -fuzz FuzzDecodeProfile -fuzztime 30s ./auth/

func FuzzParseHash(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc")
	f.Add("$argon2id$v=19$m=1024,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHash(s)
		if err != nil {
			return
		}
		// Whatever parses must be within the bounds validate enforces, so a
		// damaged file cannot make a login allocate without limit.
		if err := h.params.validate(); err != nil {
			t.Fatalf("parsed out-of-range parameters: %v", err)
		}
		again, err := parseHash(h.encode())
		if err != nil {
			t.Fatalf("re-encoded hash does not parse: %v", err)
		}
		if again.params != h.params || string(again.salt) != string(h.salt) || string(again.key) != string(h.key) {
			t.Fatalf("round trip changed the hash")
		}
	})
}

func FuzzDecodeProfile(f *testing.F) {
	enc, err := hashPassword("seed password", testHash)
	if err != nil {
		f.Fatal(err)
	}
	p := &profile{Version: profileVersion, Name: "alice", Role: RoleAgent, Password: enc, Vault: VaultFile,
		Enrolled: true, LastStep: 58000000, Failures: 2, RecoverySalt: make([]byte, 16),
		RecoveryHashes: [][]byte{make([]byte, 32)}}
	b, err := encodeProfile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := decodeProfile(b)
		if err != nil {
			return
		}
		// A decoded profile re-encodes and decodes to the same thing.
		again, err := encodeProfile(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := decodeProfile(again)
		if err != nil {
			t.Fatalf("re-encoded profile does not decode: %v", err)
		}
		if q.Name != p.Name || q.Role != p.Role || q.Failures != p.Failures || q.LastStep != p.LastStep ||
			q.Password != p.Password || q.Enrolled != p.Enrolled || !q.LockedUntil.Equal(p.LockedUntil) {
			t.Fatalf("round trip changed the profile: %+v != %+v", p, q)
		}
		if ValidProfileName(p.Name) != nil || !p.Role.Valid() || p.Failures < 0 {
			t.Fatalf("invalid profile accepted: %+v", p)
		}
	})
}

func FuzzDecodeVaultFile(f *testing.F) {
	dir := f.TempDir()
	v, err := NewFileVault(dir)
	if err != nil {
		f.Fatal(err)
	}
	v.params = testHash
	if err := v.Create(VaultRef{Profile: "alice"}, "seed password"); err != nil {
		f.Fatal(err)
	}
	b, err := readFileForSeed(dir + "/alice.vault")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		vf, err := decodeVaultFile(b)
		if err != nil {
			return
		}
		p := HashParams{Time: vf.Time, MemoryKiB: vf.MemoryKiB, Threads: vf.Threads, SaltLen: uint32(len(vf.Salt)), KeyLen: vaultKeyLen}
		if err := p.validate(); err != nil {
			t.Fatalf("accepted out-of-range KDF parameters: %v", err)
		}
		if len(vf.Nonce) != 24 || len(vf.Check) != vaultCheckLen {
			t.Fatalf("accepted bad sizes")
		}
	})
}
