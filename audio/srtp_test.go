package audio

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1" //nolint:gosec // HMAC-SHA1 is what RFC 3711 specifies
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio/sdp"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

// aesCM is AES in counter mode as RFC 3711 section 4.1.1 uses it: the 16-byte IV is the first
// counter block, incremented as a 128-bit integer (only the low 16 bits move in practice).
func aesCM(t testing.TB, key, iv []byte, n int) []byte {
	t.Helper()
	b, err := aes.NewCipher(key)
	require.NoError(t, err)
	out := make([]byte, n)
	cipher.NewCTR(b, iv).XORKeyStream(out, out)
	return out
}

// kdf is the RFC 3711 section 4.3.1 key derivation with kdr = 0 and index 0: AES-CM keyed with
// the master key, IV = (master_salt XOR (label << 48)) * 2^16.
func kdf(t testing.TB, masterKey, masterSalt []byte, label byte, n int) []byte {
	t.Helper()
	iv := make([]byte, 16)
	copy(iv, masterSalt)
	iv[7] ^= label
	return aesCM(t, masterKey, iv, n)
}

// RFC 3711 Appendix B.2: the AES-CM keystream.
func TestRFC3711B2Keystream(t *testing.T) {
	key := unhex(t, "2B7E151628AED2A6ABF7158809CF4F3C")
	iv := unhex(t, "F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")
	want := unhex(t, `E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB
		41E95B3BB0A2E8DD477901E4FCA894C0`)
	assert.Equal(t, want, aesCM(t, key, iv, len(want)))
}

// RFC 3711 Appendix B.3 values.
const (
	b3MasterKey  = "E1F97A0D3E018BE0D64FA32C06DE4139"
	b3MasterSalt = "0EC675AD498AFEEBB6960B3AABE6"
	b3CipherKey  = "C61E7A93744F39EE10734AFE3FF7A087"
	b3CipherSalt = "30CBBC08863D8C85D49DB34A9AE1"
	b3AuthKey    = "CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"
)

func TestRFC3711B3KeyDerivation(t *testing.T) {
	mk, ms := unhex(t, b3MasterKey), unhex(t, b3MasterSalt)
	assert.Equal(t, unhex(t, b3CipherKey), kdf(t, mk, ms, 0x00, 16))
	assert.Equal(t, unhex(t, b3CipherSalt), kdf(t, mk, ms, 0x02, 14))
	assert.Equal(t, unhex(t, b3AuthKey), kdf(t, mk, ms, 0x01, 20))
}

// The session's own protect path, keyed with the B.3 master key, must produce exactly what the
// B.3 session keys predict: AES-CM encryption (section 4.1.1) and an 80-bit HMAC-SHA1 tag over the
// packet and the ROC (section 4.2).
func TestSessionProtectUsesRFC3711Keys(t *testing.T) {
	keys := sdp.SRTPKeys{
		Suite:     SuiteAESCM128HMACSHA180,
		LocalKey:  unhex(t, b3MasterKey+b3MasterSalt),
		RemoteKey: unhex(t, b3MasterKey+b3MasterSalt),
	}
	cc, err := newCryptoContexts(keys)
	require.NoError(t, err)

	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	h := rtp.Header{Version: 2, PayloadType: 8, SequenceNumber: 0x1234, Timestamp: 0xdecafbad, SSRC: 0xcafebabe}
	pkt, err := protectRTP(cc.txRTP, make([]byte, 1500), make([]byte, 0, 1500), &h, payload)
	require.NoError(t, err)

	hdr, err := h.Marshal()
	require.NoError(t, err)
	// IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i = ROC*2^16 + SEQ (ROC = 0).
	iv := make([]byte, 16)
	copy(iv, unhex(t, b3CipherSalt))
	var ssrc [4]byte
	binary.BigEndian.PutUint32(ssrc[:], h.SSRC)
	for i := range 4 {
		iv[4+i] ^= ssrc[i]
	}
	iv[12] ^= byte(h.SequenceNumber >> 8)
	iv[13] ^= byte(h.SequenceNumber)
	ks := aesCM(t, unhex(t, b3CipherKey), iv, len(payload))
	enc := make([]byte, len(payload))
	for i := range payload {
		enc[i] = payload[i] ^ ks[i]
	}
	mac := hmac.New(sha1.New, unhex(t, b3AuthKey))
	mac.Write(hdr)
	mac.Write(enc)
	mac.Write([]byte{0, 0, 0, 0}) // ROC
	want := append(append(append([]byte{}, hdr...), enc...), mac.Sum(nil)[:10]...)
	assert.Equal(t, want, pkt)

	// And it decrypts on the receive side.
	var got rtp.Header
	plain, err := unprotectRTP(cc.rxRTP, make([]byte, 0, 1500), pkt, &got)
	require.NoError(t, err)
	assert.Equal(t, payload, plain)
	// Replay protection is on: the same packet again is refused.
	_, err = unprotectRTP(cc.rxRTP, make([]byte, 0, 1500), pkt, &got)
	require.Error(t, err)
}

// gcmSeal is RFC 7714 section 8: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, AAD = header.
func gcmSeal(t testing.TB, key, salt, hdr, payload []byte, ssrc uint32, roc uint32, seq uint16) []byte {
	t.Helper()
	b, err := aes.NewCipher(key)
	require.NoError(t, err)
	g, err := cipher.NewGCM(b)
	require.NoError(t, err)
	iv := make([]byte, 12)
	binary.BigEndian.PutUint32(iv[2:], ssrc)
	binary.BigEndian.PutUint32(iv[6:], roc)
	binary.BigEndian.PutUint16(iv[10:], seq)
	for i := range iv {
		iv[i] ^= salt[i]
	}
	return g.Seal(append([]byte{}, hdr...), iv, payload, hdr)
}

// RFC 7714 section 16.1.1 (AEAD_AES_128_GCM, SRTP): checks the GCM construction used below.
func TestRFC7714Vector(t *testing.T) {
	key := unhex(t, "000102030405060708090a0b0c0d0e0f")
	salt := unhex(t, "517569642070726f2071756f")
	hdr := unhex(t, "8040f17b8041f8d35501a0b2")
	payload := unhex(t, "47616c6c69612065737420 6f6d6e69732064697669736120696e20706172746573207472 6573")
	want := unhex(t, `8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5
		0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce`)
	assert.Equal(t, want, gcmSeal(t, key, salt, hdr, payload, 0x5501a0b2, 0, 0xf17b))
}

// The session's GCM protect path: session keys from the RFC 3711 KDF (labels 0 and 2, 12-byte
// salt per RFC 7714 section 11), sealed as RFC 7714 section 8 says.
func TestSessionProtectGCM(t *testing.T) {
	mk := unhex(t, b3MasterKey)
	ms := unhex(t, "0EC675AD498AFEEBB6960B3A")
	keys := sdp.SRTPKeys{Suite: SuiteAEADAES128GCM, LocalKey: append(append([]byte{}, mk...), ms...)}
	keys.RemoteKey = keys.LocalKey
	cc, err := newCryptoContexts(keys)
	require.NoError(t, err)
	payload := []byte(strings.Repeat("G.711 frame ", 13))[:160]
	h := rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 65000, Timestamp: 1, SSRC: 0x01020304}
	pkt, err := protectRTP(cc.txRTP, make([]byte, 1500), make([]byte, 0, 1500), &h, payload)
	require.NoError(t, err)
	hdr, err := h.Marshal()
	require.NoError(t, err)
	want := gcmSeal(t, kdf(t, mk, ms, 0x00, 16), kdf(t, mk, ms, 0x02, 12), hdr, payload, h.SSRC, 0, h.SequenceNumber)
	assert.Equal(t, want, pkt)
	var got rtp.Header
	plain, err := unprotectRTP(cc.rxRTP, make([]byte, 0, 1500), pkt, &got)
	require.NoError(t, err)
	assert.Equal(t, payload, plain)
	// A flipped bit fails authentication.
	pkt[len(pkt)-1] ^= 1
	_, err = unprotectRTP(cc.rxRTP, make([]byte, 0, 1500), pkt, &got)
	require.Error(t, err)
}

func TestKeyLengthChecked(t *testing.T) {
	_, err := newCryptoContexts(sdp.SRTPKeys{Suite: SuiteAEADAES128GCM, LocalKey: make([]byte, 30), RemoteKey: make([]byte, 30)})
	require.Error(t, err)
	_, err = newCryptoContexts(sdp.SRTPKeys{Suite: "NULL", LocalKey: make([]byte, 30), RemoteKey: make([]byte, 30)})
	require.Error(t, err)
}

// Benchmarks: our protect+unprotect path per 20 ms G.711 packet (marshal, encrypt, decrypt,
// parse) next to pion's raw Context.EncryptRTP/DecryptRTP on the same packet as the reference.
func benchSuites(b *testing.B, f func(b *testing.B, suite string, key []byte)) {
	for _, suite := range []string{SuiteAESCM128HMACSHA180, SuiteAEADAES128GCM} {
		key := make([]byte, sdp.SuiteKeyLen(suite))
		for i := range key {
			key[i] = byte(i)
		}
		b.Run(suite, func(b *testing.B) { f(b, suite, key) })
	}
}

func BenchmarkSRTPSession(b *testing.B) {
	benchSuites(b, func(b *testing.B, suite string, key []byte) {
		cc, err := newCryptoContexts(sdp.SRTPKeys{Suite: suite, LocalKey: key, RemoteKey: key})
		require.NoError(b, err)
		payload := make([]byte, 160)
		buf, out, dec := make([]byte, 1500), make([]byte, 0, 1500), make([]byte, 0, 1500)
		h := rtp.Header{Version: 2, PayloadType: 8, SSRC: 1}
		var rh rtp.Header
		b.ReportAllocs()
		b.SetBytes(160)
		for b.Loop() {
			h.SequenceNumber++
			h.Timestamp += 160
			pkt, err := protectRTP(cc.txRTP, buf, out, &h, payload)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := unprotectRTP(cc.rxRTP, dec, pkt, &rh); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSRTPPionReference(b *testing.B) {
	benchSuites(b, func(b *testing.B, suite string, key []byte) {
		prof, err := profileFor(suite)
		require.NoError(b, err)
		kl, _ := prof.KeyLen()
		tx, err := srtp.CreateContext(key[:kl], key[kl:], prof)
		require.NoError(b, err)
		rx, err := srtp.CreateContext(key[:kl], key[kl:], prof, srtp.SRTPReplayProtection(replayWindow))
		require.NoError(b, err)
		h := rtp.Header{Version: 2, PayloadType: 8, SSRC: 1}
		plain := make([]byte, 12+160)
		out, dec := make([]byte, 0, 1500), make([]byte, 0, 1500)
		var rh rtp.Header
		b.ReportAllocs()
		b.SetBytes(160)
		for b.Loop() {
			h.SequenceNumber++
			h.Timestamp += 160
			if _, err := h.MarshalTo(plain); err != nil {
				b.Fatal(err)
			}
			enc, err := tx.EncryptRTP(out[:0], plain, &h)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := rx.DecryptRTP(dec[:0], enc, &rh); err != nil {
				b.Fatal(err)
			}
		}
	})
}
