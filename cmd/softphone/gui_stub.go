package main

import (
	"context"
	"fmt"
)

// runGUI starts the desktop. It is replaced when the ui package lands.
func runGUI(ctx context.Context, env *cli, args []string) int {
	fmt.Fprintln(env.stderr, "softphone: the desktop is not built yet; use a headless command (softphone help)")
	return exitFailure
}
