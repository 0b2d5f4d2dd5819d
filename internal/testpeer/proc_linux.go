//go:build linux

package testpeer

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the child in its own process group (Kamailio forks
// workers; they must die with it) and kills it if the test binary dies.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

func terminate(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

func kill(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }

// freeze stops the process group (SIGSTOP): the process keeps its sockets
// but answers nothing, like a hung phone.
func freeze(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGSTOP) }

// thaw continues a frozen process group (SIGCONT).
func thaw(cmd *exec.Cmd) { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGCONT) }
