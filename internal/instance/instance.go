package instance

import (
	"bufio"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"softphone/internal/filelock"
)

// QueueLen is how many links the primary buffers before refusing with ErrBusy.
const QueueLen = 8

// maxConns bounds concurrent client connections served by the primary.
const maxConns = 16

// retryEvery is the pause between attempts while a primary starts up.
const retryEvery = 25 * time.Millisecond

// Instance is this process's place in the single-instance scheme: the primary
// (receives links) or a secondary (sends them). Methods are safe for
// concurrent use.
type Instance struct {
	name string
	opts options
	role Role
	log  *slog.Logger

	// Primary only; set in startPrimary and read-only afterwards.
	lock    *filelock.File
	ln      net.Listener
	token   string
	cleanup func() error
	links   chan string // written by serve goroutines; closed by Close after they end
	sem     chan struct{}
	wg      sync.WaitGroup // the accept loop and serve goroutines

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{}
}

// Acquire makes this process the primary instance called name, or finds the
// running primary. primary is true when this process now owns the instance:
// read Links and call Close on exit. Otherwise inst is a secondary whose Send
// hands a link to the primary. If another process holds the lock but does not
// answer within the timeout, Acquire returns ErrNotResponding.
func Acquire(name string, opts ...Option) (inst *Instance, primary bool, err error) {
	o, err := newOptions(name, opts)
	if err != nil {
		return nil, false, err
	}
	deadline := time.Now().Add(o.timeout)
	for {
		lk, err := filelock.OpenTry(o.lockPath(name))
		if err == nil {
			inst, err := startPrimary(name, o, lk)
			if err != nil {
				return nil, false, err
			}
			return inst, true, nil
		}
		if !errors.Is(err, filelock.ErrLocked) {
			return nil, false, err
		}
		// Someone holds the lock: a running primary, one starting up, or a
		// Send probing whether one runs. Ask it.
		ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
		perr := exchange(ctx, o, name, request{V: protocolVersion, Op: opPing})
		cancel()
		if perr == nil {
			return newSecondary(name, o), false, nil
		}
		if time.Now().After(deadline) {
			return nil, false, fmt.Errorf("%w: %v", ErrNotResponding, perr)
		}
		time.Sleep(retryEvery)
	}
}

func newSecondary(name string, o options) *Instance {
	closed := make(chan struct{})
	links := make(chan string)
	close(links)
	return &Instance{name: name, opts: o, role: RoleSecondary, log: o.logger, links: links, closed: closed}
}

func startPrimary(name string, o options, lk *filelock.File) (*Instance, error) {
	ln, token, cleanup, err := o.transport.listen(o.dir, name)
	if err != nil {
		return nil, errors.Join(err, lk.Close())
	}
	i := &Instance{
		name:    name,
		opts:    o,
		role:    RolePrimary,
		log:     o.logger,
		lock:    lk,
		ln:      ln,
		token:   token,
		cleanup: cleanup,
		links:   make(chan string, QueueLen),
		sem:     make(chan struct{}, maxConns),
		closed:  make(chan struct{}),
	}
	i.wg.Add(1)
	go i.acceptLoop()
	i.log.Debug("primary instance", "name", name)
	return i, nil
}

// Role reports whether this is the primary or a secondary.
func (i *Instance) Role() Role { return i.role }

// Primary is Role() == RolePrimary.
func (i *Instance) Primary() bool { return i.role == RolePrimary }

// Links delivers links handed over by later starts, in arrival order, on the
// primary. An empty string means a later start without a link: bring the
// window to the front. The channel is closed by Close; on a secondary it is
// closed from the start.
func (i *Instance) Links() <-chan string { return i.links }

// Send hands link to the primary (secondary only; ErrPrimary on the primary).
// An empty link asks the primary to come to the front.
func (i *Instance) Send(ctx context.Context, link string) error {
	if i.role == RolePrimary {
		return ErrPrimary
	}
	select {
	case <-i.closed:
		return ErrClosed
	default:
	}
	return send(ctx, i.opts, i.name, link)
}

// Send hands link to the running primary instance called name without
// becoming one: ErrNotRunning if none runs. This is `softphone open LINK`.
func Send(ctx context.Context, name, link string, opts ...Option) error {
	o, err := newOptions(name, opts)
	if err != nil {
		return err
	}
	return send(ctx, o, name, link)
}

func send(ctx context.Context, o options, name, link string) error {
	if err := checkLink(link); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req := request{V: protocolVersion, Op: opOpen, Link: link}
	for {
		err := exchange(ctx, o, name, req)
		if err == nil || errors.Is(err, ErrBusy) || errors.Is(err, ErrRefused) {
			return err
		}
		// Unreachable. If nobody holds the lock, nobody runs. If somebody
		// does, it may still be starting: try again until the deadline.
		lk, lerr := filelock.OpenTry(o.lockPath(name))
		if lerr == nil {
			return errors.Join(ErrNotRunning, lk.Close())
		}
		if !errors.Is(lerr, filelock.ErrLocked) {
			return lerr
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %v", ErrNotResponding, err)
		case <-time.After(retryEvery):
		}
	}
}

// exchange sends one request and reads the reply.
func exchange(ctx context.Context, o options, name string, req request) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	c, token, err := o.transport.dial(ctx, o.dir, name)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	req.Token = token
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := c.Write(append(b, '\n')); err != nil {
		return err
	}
	line, err := bufio.NewReader(io.LimitReader(c, maxMessage)).ReadBytes('\n')
	if err != nil {
		return err
	}
	var rep reply
	if err := json.Unmarshal(line, &rep); err != nil {
		return fmt.Errorf("%w: malformed reply", ErrRefused)
	}
	switch {
	case rep.OK:
		return nil
	case rep.Error == "busy":
		return ErrBusy
	default:
		return ErrRefused
	}
}

func (i *Instance) acceptLoop() {
	defer i.wg.Done()
	for {
		c, err := i.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			i.log.Warn("accept failed", "err", err)
			select {
			case <-i.closed:
				return
			case <-time.After(50 * time.Millisecond):
			}
			continue
		}
		select {
		case i.sem <- struct{}{}:
		default:
			c.Close() // too many clients at once: drop
			continue
		}
		i.wg.Add(1)
		go func() {
			defer i.wg.Done()
			defer func() { <-i.sem }()
			i.serve(c)
		}()
	}
}

// serve answers one client: one request line, one reply line.
func (i *Instance) serve(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(i.opts.timeout))
	line, err := bufio.NewReader(io.LimitReader(c, maxMessage+1)).ReadBytes('\n')
	if err != nil {
		if !errors.Is(err, io.EOF) || len(line) > 0 {
			i.log.Debug("client read failed", "err", err)
		}
		return
	}
	req, err := parseRequest(line)
	if err == nil && i.token != "" && subtle.ConstantTimeCompare([]byte(req.Token), []byte(i.token)) != 1 {
		err = errors.New("wrong token")
	}
	if err != nil {
		i.log.Warn("refused a client", "err", err)
		i.reply(c, reply{Error: "refused"})
		return
	}
	if req.Op == opPing {
		i.reply(c, reply{OK: true})
		return
	}
	select {
	case i.links <- req.Link:
		i.log.Debug("link handed over", "len", len(req.Link))
		i.reply(c, reply{OK: true})
	default:
		i.log.Warn("link queue full; refused a link")
		i.reply(c, reply{Error: "busy"})
	}
}

func (i *Instance) reply(c net.Conn, r reply) {
	b, _ := json.Marshal(r)
	c.Write(append(b, '\n'))
}

// Close ends the primary: stops listening, waits for its goroutines, closes
// Links, removes the endpoint and releases the lock so a new start can become
// primary. It is idempotent; on a secondary it only marks it closed.
func (i *Instance) Close() error {
	i.closeOnce.Do(func() {
		close(i.closed)
		if i.role != RolePrimary {
			return
		}
		errs := []error{i.ln.Close()}
		i.wg.Wait()
		close(i.links)
		errs = append(errs, i.cleanup(), i.lock.Close())
		i.closeErr = errors.Join(errs...)
	})
	return i.closeErr
}
