//go:build linux

package benchcmp

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

// ctrlEvent is one ctrl_tcp event of baresip with its arrival time.
type ctrlEvent struct {
	At   time.Time
	Type string
}

// leanBaresip is the baresip measured against the softphone. Unlike
// testpeer.StartBaresip (the far end) it is started here so that the exec
// time and the PID are known and its log lines are stamped on arrival, and
// it runs at its best: the same 8 kHz mono WAV as the softphone sends
// (aufile; ausine would need 48 kHz stereo and a resampler), no sndfile
// recording, no sound card.
type leanBaresip struct {
	*child
	ctrl   net.Conn
	events chan ctrlEvent
}

// startLeanBaresip starts baresip registering user over TLS at k.
// It sends wav (8 kHz mono) as its audio.
func startLeanBaresip(b *testing.B, k *testpeer.Kamailio, user, password, wav string) *leanBaresip {
	b.Helper()
	bin, err := exec.LookPath("baresip")
	if err != nil {
		b.Skip("baresip is not installed (apt-get install baresip-core); skipping")
	}
	dir := b.TempDir()
	ctrlPort := testpeer.FreePort(b)
	sipPort := testpeer.FreePortPair(b) // baresip puts SIP over TLS on sipPort+1
	config := fmt.Sprintf(`poll_method		epoll
sip_listen		127.0.0.1:%d
sip_cafile		%s
call_local_timeout	120
audio_source		aufile,%s
audio_alert		none
net_interface		127.0.0.1
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			srtp.so
module			uuid.so
module_app		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:%d
`, sipPort, k.CAFile, wav, ctrlPort)
	account := fmt.Sprintf("<sip:%s@%s>;auth_pass=%s;outbound=\"sip:127.0.0.1:%d;transport=tls\";regint=%d;mediaenc=srtp-mand;answermode=manual\n",
		user, k.Domain, password, k.Port, int(regExpires.Seconds()))
	for name, data := range map[string]string{"config": config, "accounts": account, "contacts": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	var cmd *exec.Cmd
	if stdbuf, err := exec.LookPath("stdbuf"); err == nil {
		// Line-buffered stdout, so log lines are stamped when printed.
		cmd = exec.Command(stdbuf, "-oL", "-eL", bin, "-f", dir)
	} else {
		cmd = exec.Command(bin, "-f", dir)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	lb := &leanBaresip{events: make(chan ctrlEvent, 64)}
	lb.child = startChild(b, "baresip "+user, cmd)

	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", ctrlPort))
		if err == nil {
			lb.ctrl = c
			break
		}
		if time.Now().After(deadline) || lb.wait(0) {
			b.Fatalf("baresip ctrl_tcp did not accept: %v\n%s", err, lb.output())
		}
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		lb.readCtrl()
	}()
	b.Cleanup(func() {
		lb.ctrl.Close()
		<-done
	})
	return lb
}

// readCtrl parses ctrl_tcp netstrings and queues the events.
func (lb *leanBaresip) readCtrl() {
	r := bufio.NewReader(lb.ctrl)
	for {
		n, err := readNetstringLen(r)
		if err != nil {
			return
		}
		buf := make([]byte, n+1)
		if _, err := io.ReadFull(r, buf); err != nil || buf[n] != ',' {
			return
		}
		at := time.Now()
		var m struct {
			Event bool   `json:"event"`
			Type  string `json:"type"`
		}
		if json.Unmarshal(buf[:n], &m) != nil || !m.Event {
			continue
		}
		select {
		case lb.events <- ctrlEvent{At: at, Type: m.Type}:
		default: // nobody listens to that many events
		}
	}
}

// readNetstringLen reads the "LEN:" prefix of a netstring.
func readNetstringLen(r *bufio.Reader) (int, error) {
	s, err := r.ReadString(':')
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, ":"))
	if err != nil || n < 0 || n > 1<<20 {
		return 0, fmt.Errorf("benchcmp: bad netstring length %q", s)
	}
	return n, nil
}

// command sends a ctrl_tcp command and returns the time just before the
// write.
func (lb *leanBaresip) command(b *testing.B, command, params string) time.Time {
	b.Helper()
	msg, _ := json.Marshal(map[string]string{"command": command, "params": params, "token": command})
	at := time.Now()
	if _, err := fmt.Fprintf(lb.ctrl, "%d:%s,", len(msg), msg); err != nil {
		b.Fatalf("baresip %s: %v", command, err)
	}
	return at
}

// waitEvent waits for the ctrl_tcp event typ and returns its arrival time.
func (lb *leanBaresip) waitEvent(b *testing.B, typ string, timeout time.Duration) time.Time {
	b.Helper()
	deadline := time.After(timeout)
	var seen []string
	for {
		select {
		case ev := <-lb.events:
			if ev.Type == typ {
				return ev.At
			}
			seen = append(seen, ev.Type)
		case <-deadline:
			b.Fatalf("baresip: no %s within %v (saw %v)\n%s", typ, timeout, seen, lb.output())
		}
	}
}
