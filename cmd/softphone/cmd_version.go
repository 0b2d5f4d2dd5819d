package main

import (
	"context"
	"runtime"
)

func init() {
	register(command{name: "version", summary: "print the version and build number (from git, set at build time)", run: runVersion})
}

// runVersion prints what support needs to know about this binary.
func runVersion(ctx context.Context, env *cli, args []string) int {
	env.emit("version", map[string]any{
		"version": version, "build": buildNumber, "app_id": appID,
		"go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH,
	})
	return exitOK
}
