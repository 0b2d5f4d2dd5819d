//go:build cgo

package speexdsp

/*
#cgo CFLAGS: -DHAVE_CONFIG_H -O2 -I${SRCDIR}/src -Wno-unused-variable -Wno-unused-but-set-variable
#cgo LDFLAGS: -lm
#include <stdlib.h>
#include "speex/speex_echo.h"
#include "speex/speex_preprocess.h"

static int sp_set_int(SpeexPreprocessState *st, int req, int v) { return speex_preprocess_ctl(st, req, &v); }
static int sp_echo_rate(SpeexEchoState *st, int rate) { return speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate); }
static int sp_set_echo(SpeexPreprocessState *st, SpeexEchoState *e) { return speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_ECHO_STATE, e); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Available reports whether this build has the C implementation.
const Available = true

// Echo is one echo canceller plus preprocessor for one stream of fixed-size frames. It is not
// safe for concurrent use.
type Echo struct {
	frame int
	tmp   []int16                 // copy of near when out aliases it
	ec    *C.SpeexEchoState       // nil when echo cancellation is off
	pp    *C.SpeexPreprocessState // nil when neither denoise nor residual suppression runs
}

// Config selects what an Echo does.
type Config struct {
	Rate, Frame, Tail int  // sample rate, samples per frame, echo tail in samples
	EchoCancel        bool // MDF echo cancellation (and residual echo suppression)
	Denoise           bool // noise suppression
	NoiseDB           int  // maximum noise attenuation in dB (negative); 0 = speexdsp's -15
}

// New creates the C state.
func New(cfg Config) (*Echo, error) {
	if cfg.Rate <= 0 || cfg.Frame <= 0 || (cfg.EchoCancel && cfg.Tail < cfg.Frame) {
		return nil, fmt.Errorf("speexdsp: bad config %+v", cfg)
	}
	e := &Echo{frame: cfg.Frame, tmp: make([]int16, cfg.Frame)}
	if cfg.EchoCancel {
		e.ec = C.speex_echo_state_init(C.int(cfg.Frame), C.int(cfg.Tail))
		if e.ec == nil {
			return nil, fmt.Errorf("speexdsp: echo state init failed")
		}
		C.sp_echo_rate(e.ec, C.int(cfg.Rate))
	}
	if cfg.EchoCancel || cfg.Denoise {
		e.pp = C.speex_preprocess_state_init(C.int(cfg.Frame), C.int(cfg.Rate))
		if e.pp == nil {
			e.Close()
			return nil, fmt.Errorf("speexdsp: preprocess state init failed")
		}
		C.sp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_DENOISE, boolInt(cfg.Denoise))
		if cfg.Denoise && cfg.NoiseDB < 0 {
			C.sp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, C.int(cfg.NoiseDB))
		}
		C.sp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_AGC, 0)
		C.sp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_DEREVERB, 0)
		if e.ec != nil {
			C.sp_set_echo(e.pp, e.ec)
		}
	}
	return e, nil
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// Process cancels the echo of far (the frame just played) from near (the frame just captured)
// and writes the result to out. All three must hold exactly one frame; out may alias near.
func (e *Echo) Process(near, far, out []int16) {
	if len(near) != e.frame || len(out) != e.frame || (e.ec != nil && len(far) != e.frame) {
		panic("speexdsp: frame size mismatch")
	}
	if e.ec != nil {
		// speex_echo_cancellation reads rec and play before writing out, sample by sample per
		// block, but aliasing is not documented: cancel into a copy when out is near.
		src := near
		if unsafe.SliceData(near) == unsafe.SliceData(out) {
			src = e.tmp
			copy(src, near)
		}
		C.speex_echo_cancellation(e.ec, (*C.spx_int16_t)(unsafe.SliceData(src)),
			(*C.spx_int16_t)(unsafe.SliceData(far)), (*C.spx_int16_t)(unsafe.SliceData(out)))
	} else if unsafe.SliceData(near) != unsafe.SliceData(out) {
		copy(out, near)
	}
	if e.pp != nil {
		C.speex_preprocess_run(e.pp, (*C.spx_int16_t)(unsafe.SliceData(out)))
	}
}

// Reset forgets the learnt echo path (after a device change).
func (e *Echo) Reset() {
	if e.ec != nil {
		C.speex_echo_state_reset(e.ec)
	}
}

// Close frees the C state; it is idempotent.
func (e *Echo) Close() {
	if e.pp != nil {
		C.speex_preprocess_state_destroy(e.pp)
		e.pp = nil
	}
	if e.ec != nil {
		C.speex_echo_state_destroy(e.ec)
		e.ec = nil
	}
}
