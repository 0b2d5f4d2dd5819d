package audio

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"softphone/audio/sdp"
)

// replayWindow is the SRTP/SRTCP replay window in packets (RFC 3711 section 3.3.2 asks for ≥ 64).
const replayWindow = 128

// errBadPadding reports an RTP packet whose padding length is impossible.
var errBadPadding = errors.New("audio: bad RTP padding")

// profileFor maps an SDES suite name to pion's protection profile.
func profileFor(suite string) (srtp.ProtectionProfile, error) {
	switch suite {
	case SuiteAESCM128HMACSHA180:
		return srtp.ProtectionProfileAes128CmHmacSha1_80, nil
	case SuiteAEADAES128GCM:
		return srtp.ProtectionProfileAeadAes128Gcm, nil
	}
	return 0, fmt.Errorf("%w: crypto suite %q", ErrBadConfig, suite)
}

// cryptoContexts are the four SRTP contexts of a call. Each has exactly one user goroutine:
// txRTP the sender, rxRTP the receiver, txRTCP the RTCP sender, rxRTCP the RTCP receiver.
type cryptoContexts struct {
	keys                         sdp.SRTPKeys
	txRTP, rxRTP, txRTCP, rxRTCP *srtp.Context
}

func splitKey(prof srtp.ProtectionProfile, keySalt []byte) ([]byte, []byte, error) {
	kl, err := prof.KeyLen()
	if err != nil {
		return nil, nil, err
	}
	sl, err := prof.SaltLen()
	if err != nil {
		return nil, nil, err
	}
	if len(keySalt) != kl+sl {
		return nil, nil, fmt.Errorf("%w: SRTP key length %d, want %d", ErrSRTPRequired, len(keySalt), kl+sl)
	}
	return keySalt[:kl], keySalt[kl:], nil
}

// newCryptoContexts builds the contexts for negotiated keys, with replay protection on receive.
func newCryptoContexts(keys sdp.SRTPKeys) (*cryptoContexts, error) {
	prof, err := profileFor(keys.Suite)
	if err != nil {
		return nil, err
	}
	lk, ls, err := splitKey(prof, keys.LocalKey)
	if err != nil {
		return nil, err
	}
	rk, rs, err := splitKey(prof, keys.RemoteKey)
	if err != nil {
		return nil, err
	}
	c := &cryptoContexts{keys: keys}
	if c.txRTP, err = srtp.CreateContext(lk, ls, prof); err != nil {
		return nil, fmt.Errorf("srtp tx: %w", err)
	}
	if c.txRTCP, err = srtp.CreateContext(lk, ls, prof); err != nil {
		return nil, fmt.Errorf("srtcp tx: %w", err)
	}
	if c.rxRTP, err = srtp.CreateContext(rk, rs, prof, srtp.SRTPReplayProtection(replayWindow)); err != nil {
		return nil, fmt.Errorf("srtp rx: %w", err)
	}
	if c.rxRTCP, err = srtp.CreateContext(rk, rs, prof, srtp.SRTCPReplayProtection(replayWindow)); err != nil {
		return nil, fmt.Errorf("srtcp rx: %w", err)
	}
	return c, nil
}

// sameKeys reports whether c was built for k, so a re-INVITE with unchanged keys keeps the
// contexts (and with them the rollover counters and replay windows).
func (c *cryptoContexts) sameKeys(k *sdp.SRTPKeys) bool {
	return c != nil && k != nil && c.keys.Suite == k.Suite &&
		bytes.Equal(c.keys.LocalKey, k.LocalKey) && bytes.Equal(c.keys.RemoteKey, k.RemoteKey)
}

// protectRTP writes header+payload into buf and encrypts it with ctx (nil = plain RTP). It returns
// the packet to send, which aliases out.
func protectRTP(ctx *srtp.Context, buf, out []byte, h *rtp.Header, payload []byte) ([]byte, error) {
	n, err := rtp.MarshalPacketTo(buf, h, payload)
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		return buf[:n], nil
	}
	return ctx.EncryptRTP(out[:0], buf[:n], h)
}

// unprotectRTP decrypts and parses a received packet (ctx nil = plain RTP). The payload aliases
// out (or in for plain RTP).
func unprotectRTP(ctx *srtp.Context, out, in []byte, h *rtp.Header) ([]byte, error) {
	plain := in
	if ctx != nil {
		var err error
		if plain, err = ctx.DecryptRTP(out[:0], in, h); err != nil {
			return nil, err
		}
	}
	n, err := h.Unmarshal(plain)
	if err != nil {
		return nil, err
	}
	end := len(plain)
	if h.Padding && end > n {
		pad := int(plain[end-1])
		if pad == 0 || n+pad > end {
			return nil, errBadPadding
		}
		end -= pad
	}
	return plain[n:end], nil
}

// dtlsKeys derives the SRTP master keys and salts of one DTLS association (RFC 5764 section
// 4.2): the client writes with the client key. exp is the finished association's state.
func dtlsKeys(suite string, exp srtp.KeyingMaterialExporter, client bool) (sdp.SRTPKeys, error) {
	prof, err := profileFor(suite)
	if err != nil {
		return sdp.SRTPKeys{}, err
	}
	c := srtp.Config{Profile: prof}
	if err := c.ExtractSessionKeysFromDTLS(exp, client); err != nil {
		return sdp.SRTPKeys{}, fmt.Errorf("export DTLS-SRTP keys: %w", err)
	}
	return sdp.SRTPKeys{
		Suite:     suite,
		LocalKey:  append(append([]byte(nil), c.Keys.LocalMasterKey...), c.Keys.LocalMasterSalt...),
		RemoteKey: append(append([]byte(nil), c.Keys.RemoteMasterKey...), c.Keys.RemoteMasterSalt...),
	}, nil
}

// newCryptoContextsRTCP builds the contexts of a DTLS-SRTP call: SRTP from the RTP
// association's keys, SRTCP from the RTCP association's (the same keys when multiplexed: then
// the RTP keys' contexts serve both and are not built twice).
func newCryptoContextsRTCP(rtpKeys, rtcpKeys sdp.SRTPKeys) (*cryptoContexts, error) {
	c, err := newCryptoContexts(rtpKeys)
	if err != nil {
		return nil, err
	}
	if c.sameKeys(&rtcpKeys) {
		return c, nil
	}
	r, err := newCryptoContexts(rtcpKeys)
	if err != nil {
		return nil, err
	}
	c.txRTCP, c.rxRTCP = r.txRTCP, r.rxRTCP
	return c, nil
}
