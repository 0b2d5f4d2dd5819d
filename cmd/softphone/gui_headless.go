//go:build headless

package main

import (
	"context"
	"fmt"
)

// runGUI in a headless build (go build -tags headless): no Fyne, no X11/GL,
// a smaller binary for automation hosts. Every headless command works.
func runGUI(ctx context.Context, env *cli, args []string) int {
	fmt.Fprintln(env.stderr, "softphone: this is the headless build (no desktop); see softphone help")
	return exitUsage
}
