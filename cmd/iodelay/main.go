// Command iodelay measures the round trip from a playback device back to a capture device with
// clicks (like jack_iodelay), for scripts/bench-latency.sh: it prints one JSON line with the
// count, median and 95th percentile in milliseconds.
//
//	iodelay -playback micfeed -capture speaker.monitor -clicks 20 -interval 600ms
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"softphone/audio/device"
)

func main() {
	playback := flag.String("playback", "", "device the clicks are played into (\"\" = default)")
	capture := flag.String("capture", "", "device they come back on (\"\" = default)")
	clicks := flag.Int("clicks", 20, "number of clicks")
	interval := flag.Duration("interval", 600*time.Millisecond, "time between clicks (longer than the delay)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(*clicks+5)*(*interval)+10*time.Second)
	defer cancel()
	ds, err := device.RoundTrip(ctx, device.Config{Playback: *playback, Capture: *capture}, *clicks, *interval)
	if err != nil {
		fmt.Fprintln(os.Stderr, "iodelay:", err)
		os.Exit(1)
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	all := make([]float64, len(ds))
	for i, d := range ds {
		all[i] = ms(d)
	}
	_ = json.NewEncoder(os.Stdout).Encode(map[string]any{
		"clicks": *clicks, "heard": len(ds),
		"median_ms": ms(device.Percentile(ds, 50)), "p95_ms": ms(device.Percentile(ds, 95)), "delays_ms": all,
	})
}
