//go:build cgo

package device

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/gen2brain/malgo"
)

// RoundTrip measures the delay from a playback device back to a capture device, the way
// jack_iodelay does: one full-duplex stream plays a click every interval and finds each click's
// onset in what it captures, counting samples on the stream's own clock (no wall clock, no
// scheduling noise). What it reports includes the measuring stream's own buffers; measure a plain
// pass-through in the same way to get the floor. It returns one delay per click heard.
func RoundTrip(ctx context.Context, cfg Config, clicks int, interval time.Duration) ([]time.Duration, error) {
	const rate = 48000 // measure at 48 kHz: 21 µs resolution
	mctx, err := initContext(cfg.Backend, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer func() { _ = mctx.Uninit(); mctx.Free() }()
	dc := malgo.DefaultDeviceConfig(malgo.Duplex)
	dc.SampleRate = rate
	dc.Capture.Format, dc.Capture.Channels = malgo.FormatS16, 1
	dc.Playback.Format, dc.Playback.Channels = malgo.FormatS16, 1
	dc.PerformanceProfile = malgo.LowLatency
	dc.PeriodSizeInMilliseconds = 5
	var ids [2]malgo.DeviceID
	for i, sel := range []struct {
		kind malgo.DeviceType
		name string
		sub  *malgo.SubConfig
	}{{malgo.Capture, cfg.Capture, &dc.Capture}, {malgo.Playback, cfg.Playback, &dc.Playback}} {
		if sel.name == "" {
			continue
		}
		id, ok := findDevice(mctx, sel.kind, sel.name)
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrNoDevice, sel.name)
		}
		ids[i] = id
		sel.sub.DeviceID = ids[i].Pointer()
	}
	m := &clickMeter{period: int64(interval.Seconds() * rate), want: clicks, done: make(chan struct{})}
	dev, err := malgo.InitDevice(mctx.Context, dc, malgo.DeviceCallbacks{Data: m.onData})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	defer dev.Uninit()
	if err := dev.Start(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoDevice, err)
	}
	select {
	case <-m.done:
	case <-ctx.Done():
	}
	_ = dev.Stop()
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]time.Duration, 0, len(m.delays))
	for _, d := range m.delays {
		out = append(out, time.Duration(d)*time.Second/rate)
	}
	return out, nil
}

func findDevice(ctx *malgo.AllocatedContext, kind malgo.DeviceType, name string) (malgo.DeviceID, bool) {
	infos, err := ctx.Devices(kind)
	if err != nil {
		return malgo.DeviceID{}, false
	}
	for i := range infos {
		if matches(&infos[i], name) {
			return infos[i].ID, true
		}
	}
	return malgo.DeviceID{}, false
}

// clickMeter plays clicks and detects them coming back; it lives on the callback thread.
type clickMeter struct {
	period  int64 // samples between clicks
	want    int
	out, in int64   // samples played / captured so far
	sent    []int64 // playback sample index of each click
	armed   int64   // capture index before which onsets are ignored (after the last detection)
	done    chan struct{}
	mu      sync.Mutex // guards delays against the reader after done
	delays  []int64
	heard   int
	closed  bool
}

// The click is a 5 ms burst of 1 kHz at -4 dBFS: band-limited so it survives 8 kHz telephony
// resampling and G.711; its onset is the first sample above the threshold (within a quarter
// period of 1 kHz, the same bias in every measurement, floor included).
const (
	clickThreshold = 6000
	clickSamples   = 48000 * 5 / 1000
	clickLevel     = 20000
)

func (m *clickMeter) onData(out, in []byte, frames uint32) {
	for i := 0; i+1 < len(out); i += 2 {
		var v int16
		pos := m.out % m.period
		if pos == 0 && len(m.sent) < m.want && m.out > 0 {
			m.sent = append(m.sent, m.out)
		}
		if pos < clickSamples && m.out > 0 && int64(len(m.sent)) > 0 && m.sent[len(m.sent)-1] == m.out-pos {
			v = int16(clickLevel * math.Sin(2*math.Pi*1000*float64(pos)/48000))
		}
		binary.LittleEndian.PutUint16(out[i:], uint16(v))
		m.out++
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := 0; i+1 < len(in); i += 2 {
		v := int16(binary.LittleEndian.Uint16(in[i:]))
		if (v > clickThreshold || v < -clickThreshold) && m.in >= m.armed {
			// Attribute the onset to the latest click played before it (delays < interval).
			k := m.in / m.period
			if k >= 1 && k <= int64(len(m.sent)) {
				m.delays = append(m.delays, m.in-m.sent[k-1])
				m.heard++
			}
			m.armed = m.in + m.period/2
		}
		m.in++
	}
	if !m.closed && len(m.sent) >= m.want && m.out > m.sent[len(m.sent)-1]+m.period {
		m.closed = true
		close(m.done)
	}
}

// Percentile returns the p-th percentile (0..100) of ds, or 0 when empty.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p/100*float64(len(s)-1) + 0.5)
	return s[min(i, len(s)-1)]
}
