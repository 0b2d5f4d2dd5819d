package audio

import (
	"net/netip"
	"testing"
	"time"

	"softphone/audio/sdp"
)

// FuzzReceive feeds arbitrary datagrams through the RTP and RTCP receive paths of a plain-RTP
// session (no authentication to stop them): RTP header and padding parsing, DTMF decoding,
// statistics, the jitter buffer and RTCP report handling must never panic.
func FuzzReceive(f *testing.F) {
	f.Add([]byte("\x80\x08\x00\x01\x00\x00\x00\xa0\x00\x00\x00\x2a"+string(make([]byte, 160))), false)
	f.Add([]byte("\x80\xe5\x00\x02\x00\x00\x00\xa0\x00\x00\x00\x2a\x05\x8a\x03\x20"), false)                                                                // DTMF '5' end
	f.Add([]byte("\xa0\x08\x00\x03\x00\x00\x01\x40\x00\x00\x00\x2a\x01\x02\x00\x03"), false)                                                                // padding
	f.Add([]byte("\xa0\x08\x00\x03\x00\x00\x01\x40\x00\x00\x00\x2a\x01\x02\x00\xff"), false)                                                                // bad padding
	f.Add([]byte("\x90\x08\x00\x04\x00\x00\x01\xe0\x00\x00\x00\x2a\xbe\xde\x00\x01\x10\xff\x00\x00"), false)                                                // extension
	f.Add([]byte("\x81\xc9\x00\x07\x00\x00\x00\x09\x00\x00\x00\x2a\x40\x00\x00\x0c\x00\x00\x01\x00\x00\x00\x00\x50\x00\x00\x00\x00\x00\x00\x00\x00"), true) // RR
	f.Add([]byte("\x80\xc8\x00\x06\x00\x00\x00\x09\xe7\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xa0\x00\x00\x00\x01\x00\x00\x00\xa0"), true)                 // SR
	f.Fuzz(func(t *testing.T, b []byte, isRTCP bool) {
		s := &Session{cfg: Config{OnDTMF: func(rune) {}}, log: discardLogger()}
		s.jb = newJitterForTest()
		res := sdp.Result{
			Codec:      sdp.Codec{PT: 8, Name: "PCMA", Rate: 8000},
			RecvCodecs: []sdp.Codec{{PT: 8, Name: "PCMA", Rate: 8000}, {PT: 0, Name: "PCMU", Rate: 8000}},
			DTMFSendPT: 101, DTMFRecvPT: 101,
			Remote: netip.MustParseAddrPort("127.0.0.1:9"),
		}
		s.mu.Lock()
		if err := s.applyLocked(res); err != nil {
			t.Fatal(err)
		}
		s.mu.Unlock()
		now := time.Now()
		if isRTCP {
			s.receiveRTCP(make([]byte, 0, 1500), b, now)
		} else {
			var r rtpReceiver
			s.receiveRTP(&r, b, now)
			s.receiveRTP(&r, b, now.Add(FrameTime)) // and its duplicate
		}
		s.jb.Pop(now.Add(time.Second))
		_ = s.Stats()
	})
}
