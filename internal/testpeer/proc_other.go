//go:build !linux

package testpeer

import "os/exec"

// Kamailio and baresip are only run on Linux; elsewhere the helpers only
// need to compile (tests skip when the binaries are missing).
func setProcessGroup(*exec.Cmd) {}

func terminate(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func kill(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

func freeze(*exec.Cmd) {}

func thaw(*exec.Cmd) {}
