package dsp

import (
	"math"
	"math/cmplx"
)

// BandEnergy returns the energy of pcm (sampled at rate) between lo and hi Hz, as a fraction
// of its total energy (0..1). It averages Hann-windowed 1024-point spectra; tests use it to prove
// that audio is wideband (content above 4 kHz) and that a band was removed.
func BandEnergy(pcm []int16, rate int, lo, hi float64) float64 {
	const n = 1024
	win := make([]float64, n)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
	}
	buf := make([]complex128, n)
	var band, total float64
	for start := 0; start+n <= len(pcm); start += n / 2 {
		for i := range buf {
			buf[i] = complex(float64(pcm[start+i])*win[i], 0)
		}
		fft(buf)
		for k := 1; k < n/2; k++ {
			p := real(buf[k])*real(buf[k]) + imag(buf[k])*imag(buf[k])
			f := float64(k) * float64(rate) / n
			total += p
			if f >= lo && f < hi {
				band += p
			}
		}
	}
	if total == 0 {
		return 0
	}
	return band / total
}

// fft is an in-place radix-2 transform; len(a) must be a power of two.
func fft(a []complex128) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := 0; k < size/2; k++ {
				u, v := a[start+k], a[start+k+size/2]*wk
				a[start+k], a[start+k+size/2] = u+v, u-v
				wk *= w
			}
		}
	}
}
