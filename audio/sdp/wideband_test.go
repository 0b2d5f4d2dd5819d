package sdp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var allCodecs = []string{"opus", "G722", "PCMA", "PCMU"}

func TestWidebandOfferFormat(t *testing.T) {
	l := localFor(4000)
	l.Codecs = allCodecs
	o, err := BuildOffer(l)
	require.NoError(t, err)
	txt := string(o.Marshal())
	assert.Contains(t, txt, "m=audio 4000 RTP/SAVP 111 9 8 0 101\r\n")
	assert.Contains(t, txt, "a=rtpmap:111 opus/48000/2\r\n")
	assert.Contains(t, txt, "a=fmtp:111 useinbandfec=1;")
	assert.Contains(t, txt, "a=rtpmap:9 G722/8000\r\n") // RFC 3551: 8000 although it samples at 16 kHz
	assert.True(t, IsWideband("OPUS") && IsWideband("g722") && !IsWideband("PCMU"))
}

func TestWidebandNegotiation(t *testing.T) {
	tests := []struct {
		name              string
		offerer, answerer []string
		want              string
	}{
		{"both wideband", allCodecs, allCodecs, "opus"},
		{"answerer without opus", allCodecs, []string{"G722", "PCMU"}, "G722"},
		{"G.711 only answerer falls back", allCodecs, []string{"PCMA", "PCMU"}, "PCMA"},
		{"offerer lists G.711 first, we prefer wideband", []string{"PCMU", "PCMA", "G722"}, allCodecs, "G722"},
		{"answerer ranks G.711 first keeps the offer's order", []string{"PCMU", "opus"}, []string{"PCMU", "opus"}, "PCMU"},
		{"wideband-only peer", []string{"opus"}, allCodecs, "opus"},
		{"no common codec", []string{"opus"}, []string{"PCMA"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, la := localFor(4000), localFor(5000)
			lo.Codecs, la.Codecs = tt.offerer, tt.answerer
			offer, err := BuildOffer(lo)
			require.NoError(t, err)
			offerP, err := Parse(offer.Marshal())
			require.NoError(t, err)
			ans, ra, err := BuildAnswer(offerP, la)
			if tt.want == "" {
				require.ErrorIs(t, err, ErrNoCommonCodec)
				return
			}
			require.NoError(t, err)
			ansP, err := Parse(ans.Marshal())
			require.NoError(t, err)
			ro, err := ApplyAnswer(offerP, ansP, lo)
			require.NoError(t, err)
			assert.Equal(t, tt.want, ra.Codec.Name)
			assert.Equal(t, tt.want, ro.Codec.Name)
			assert.Equal(t, ra.Codec.PT, ro.Codec.PT)
			assert.Equal(t, ra.Codec.Rate, ro.Codec.Rate)
		})
	}
}

// Against linphone's real offer (opus under PT 96, telephone-event at three rates), we answer
// opus with the offer's payload type and the 8 kHz telephone-event.
func TestAnswerLinphoneOpus(t *testing.T) {
	offer, err := Parse(readFile(t, "linphone_opus_offer.sdp"))
	require.NoError(t, err)
	l := localFor(6000)
	l.Codecs = allCodecs
	l.RequireSRTP = false
	l.Crypto = nil
	ans, res, err := BuildAnswer(offer, l)
	require.NoError(t, err)
	assert.Equal(t, "opus", res.Codec.Name)
	assert.Equal(t, uint8(96), res.Codec.PT)
	assert.Equal(t, 48000, res.Codec.Rate)
	assert.Equal(t, 100, res.DTMFSendPT)
	txt := string(ans.Marshal())
	assert.Contains(t, txt, "m=audio 6000 RTP/AVP 96 100\r\n")
	assert.Contains(t, txt, "a=rtpmap:96 opus/48000/2\r\n")
}

// Defect from issue 14 §7: after hold and unhold, the re-offer listed codecs in config order and
// linphonec moved a PCMU call to PCMA. The re-offer must list the codec in use first, and an
// answerer taking the offerer's first choice (as linphonec does) keeps it.
func TestReofferKeepsNegotiatedCodec(t *testing.T) {
	for _, keep := range []string{"PCMU", "G722", "opus"} {
		t.Run(keep, func(t *testing.T) {
			lo := localFor(4000)
			lo.Codecs = allCodecs
			lo.Keep = keep
			lo.Direction = SendOnly
			o, err := BuildOffer(lo)
			require.NoError(t, err)
			require.NotEmpty(t, o.Media[0].Codecs)
			assert.True(t, strings.EqualFold(keep, o.Media[0].Codecs[0].Name), "first in the re-offer: %s", o.Media[0].Codecs[0].Name)
			assert.Len(t, o.Media[0].Codecs, len(allCodecs)+1, "every codec still offered")

			// A peer that takes the offerer's first codec.
			la := localFor(5000)
			la.Codecs = []string{"PCMA", "PCMU", "G722", "opus"}
			la.Keep = keep
			offerP, err := Parse(o.Marshal())
			require.NoError(t, err)
			ans, ra, err := BuildAnswer(offerP, la)
			require.NoError(t, err)
			assert.True(t, strings.EqualFold(keep, ra.Codec.Name))
			ansP, err := Parse(ans.Marshal())
			require.NoError(t, err)
			ro, err := ApplyAnswer(offerP, ansP, lo)
			require.NoError(t, err)
			assert.True(t, strings.EqualFold(keep, ro.Codec.Name))
		})
	}
	// A codec we no longer offer is not forced in.
	lo := localFor(4000)
	lo.Keep = "G729"
	o, err := BuildOffer(lo)
	require.NoError(t, err)
	assert.Equal(t, "PCMA", o.Media[0].Codecs[0].Name)
}
