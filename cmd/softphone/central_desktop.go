//go:build !headless

package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"softphone/audio/device"
	"softphone/audit/ship"
	"softphone/auth"
	"softphone/config"
	"softphone/internal/s3store"
	"softphone/phone"
	"softphone/recording"
	"softphone/recording/central"
	"softphone/ui"
)

// centralDesk runs central storage inside the desktop: once a profile is
// logged in it uploads sealed recordings and ships the audit log in the
// background, and it serves the Review tab with the current session's role.
type centralDesk struct {
	cfg     config.Config
	recs    *recording.Store // nil: this desktop does not record
	session func() *auth.Session
	card    *soundCard
	env     *cli
	ctx     context.Context // the desktop's: playback ends with it

	mu     sync.Mutex // guards the fields below; written by run, read by the UI
	up     *central.Uploader
	bucket *s3store.Bucket
	stop   context.CancelFunc // of the playback in progress
}

// startCentralDesk starts the background work; nil when central storage is
// not configured. It ends with ctx. watch, if set, is the agent's event
// stream: an ended call (its recording is sealed by then) starts the upload
// at once instead of at the next look.
func startCentralDesk(ctx context.Context, cfg config.Config, recs *recording.Store, session func() *auth.Session,
	card *soundCard, env *cli, watch func(context.Context, func(phone.Event) bool)) *centralDesk {
	if !cfg.Recording.Store.Enabled() {
		return nil
	}
	c := &centralDesk{cfg: cfg, recs: recs, session: session, card: card, env: env, ctx: ctx}
	go c.run(ctx)
	if watch != nil {
		go watch(ctx, func(e phone.Event) bool {
			if cc, ok := e.(phone.CallChanged); ok && cc.Call.State == phone.CallEnded {
				c.kick()
			}
			return true
		})
	}
	return c
}

// kick tells the uploader a recording may have been sealed; never blocks.
func (c *centralDesk) kick() {
	c.mu.Lock()
	up := c.up
	c.mu.Unlock()
	if up != nil {
		up.Kick()
	}
}

// run waits for a login, connects, then uploads and ships until ctx ends.
func (c *centralDesk) run(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	var shipper *ship.Shipper
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if shipper == nil {
			var err error
			if shipper, err = c.connect(ctx); err != nil {
				c.env.log.Warn("central storage unavailable", "err", err)
				t.Reset(time.Minute)
			}
			continue
		}
		if _, err := shipper.Ship(ctx); err != nil && ctx.Err() == nil {
			c.env.log.Warn("audit shipping failed; retrying", "err", err)
		}
		t.Reset(time.Minute)
	}
}

// connect opens the bucket with the logged-in profile's keys and starts the uploader.
func (c *centralDesk) connect(ctx context.Context) (*ship.Shipper, error) {
	b, err := c.openBucket()
	if b == nil || err != nil {
		return nil, err
	}
	rc := c.cfg.Recording
	dir, err := rc.RecordingDir()
	if err != nil {
		return nil, err
	}
	sdir := filepath.Join(filepath.Dir(dir), "central")
	logPath, err := auditLogPath(c.cfg)
	if err != nil {
		return nil, err
	}
	shipper, err := ship.New(ship.Config{LogPath: logPath, Store: b, StateDir: sdir, RetainDays: rc.Store.AuditRetainDays})
	if err != nil {
		return nil, err
	}
	if c.recs != nil {
		rcpts, err := recording.ParseRecipients(rc.Recipients)
		if err != nil {
			return nil, err
		}
		up, err := central.NewUploader(central.UploaderConfig{
			Source: c.recs, Store: b, QueueDir: filepath.Join(sdir, "queue"), Recipients: rcpts, Agent: shipper.Agent(),
			KeepDays: rc.Store.KeepDays, Compliance: strings.EqualFold(rc.Store.RetentionMode, "compliance"),
			Interval: 5 * time.Second, Logger: c.env.log,
		})
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		c.up = up
		c.mu.Unlock()
		go up.Run(ctx)
	}
	return shipper, nil
}

// openBucket opens the bucket with the current session's keys (nil, nil before login).
func (c *centralDesk) openBucket() (*s3store.Bucket, error) {
	c.mu.Lock()
	b := c.bucket
	c.mu.Unlock()
	if b != nil {
		return b, nil
	}
	sess := c.session()
	if sess == nil {
		return nil, nil
	}
	ak, err := sess.Secret(auth.SecretS3AccessKey)
	if err != nil {
		return nil, err
	}
	sk, err := sess.Secret(auth.SecretS3SecretKey)
	if err != nil {
		return nil, err
	}
	b, err = openStoreBucket(c.cfg.Recording.Store, ak, sk)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.bucket = b
	c.mu.Unlock()
	return b, nil
}

// uploadStatus is the state for the desktop's status line.
func (c *centralDesk) uploadStatus() (ui.UploadState, bool) {
	c.mu.Lock()
	up := c.up
	c.mu.Unlock()
	if up == nil {
		return ui.UploadState{}, false
	}
	s := up.Summary()
	return ui.UploadState{Pending: s.Pending, Retrying: s.Retrying, LastError: s.LastError}, true
}

// reviewer builds a Reviewer for the current session (its actor and role).
func (c *centralDesk) reviewer() (*central.Reviewer, error) {
	sess := c.session()
	if sess == nil {
		return nil, central.ErrPermission
	}
	b, err := c.openBucket()
	if err != nil {
		return nil, err
	}
	rcpts, err := recording.ParseRecipients(c.cfg.Recording.Recipients)
	if err != nil {
		return nil, err
	}
	if c.env.auditLog == nil {
		return nil, errors.New("no audit log: review is not available")
	}
	org, _ := sess.Secret(auth.SecretOrgIdentity)
	return central.NewReviewer(central.ReviewerConfig{Store: b, Recipients: rcpts, Identities: orgIdentity{text: org},
		Auditor: c.env.auditLog, Actor: sess.Profile(), Role: recording.Role(sess.Role()), Logger: c.env.log,
		Permits: tablePermits{c.env.permissions()}})
}

// play decrypts a recording in memory and plays it on the output device:
// the WAV is streamed through a pipe, both channels mixed, 20 ms a frame.
// It returns once playback started; a new play stops the previous one.
func (c *centralDesk) play(r *central.Reviewer, id string) error {
	pr, pw := io.Pipe()
	// Playback lives on after the request returns, until
	// the recording ends, another starts, or the desktop closes.
	pctx, stop := context.WithCancel(c.ctx)
	c.mu.Lock()
	if c.stop != nil {
		c.stop()
	}
	c.stop = stop
	c.mu.Unlock()
	go func() { pw.CloseWithError(r.Play(pctx, id, pw)) }()
	hdr := make([]byte, 44)
	if _, err := io.ReadFull(pr, hdr); err != nil {
		stop()
		pr.Close()
		return err // refused (role, audit, key) before any audio
	}
	out := ""
	if _, speakers, _ := c.card.Lists(); len(speakers) > 0 {
		out = speakers[0] // the agent's preferred speaker; "" is the system default
	}
	d, err := device.Open(device.Config{Backend: c.card.Backend(), Playback: out, PlaybackOnly: true, Logger: c.env.log})
	if err != nil {
		stop()
		pr.Close()
		return err
	}
	go func() {
		defer d.Close()
		defer pr.Close()
		buf := make([]byte, device.FrameSamples*4)
		frame := make([]int16, device.FrameSamples)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for pctx.Err() == nil {
			if _, err := io.ReadFull(pr, buf); err != nil {
				return
			}
			for i := range frame {
				l := int32(int16(binary.LittleEndian.Uint16(buf[i*4:])))
				r := int32(int16(binary.LittleEndian.Uint16(buf[i*4+2:])))
				frame[i] = int16((l + r) / 2)
			}
			<-t.C
			d.Write(frame)
		}
	}()
	return nil
}

// centralPhone is the desktop phone with the Review tab and the upload status.
type centralPhone struct {
	desktopPhone
	c *centralDesk
}

// CanReview reports whether the logged-in role may list other agents' recordings.
func (p centralPhone) CanReview() bool {
	sess := p.c.session()
	return sess != nil && recording.Role(sess.Role()).Can(recording.PermListAll)
}

// UploadStatus is the central upload state.
func (p centralPhone) UploadStatus() (ui.UploadState, bool) { return p.c.uploadStatus() }

// ReviewList lists central recordings for the Review tab.
func (p centralPhone) ReviewList(ctx context.Context, q ui.ReviewQuery) ([]ui.ReviewItem, error) {
	r, err := p.c.reviewer()
	if err != nil {
		return nil, err
	}
	items, err := r.List(ctx, central.ReviewFilter{Agent: q.Agent, Reason: q.Reason, From: q.From, To: q.To, All: q.All})
	if err != nil {
		return nil, err
	}
	out := make([]ui.ReviewItem, 0, len(items))
	for _, it := range items {
		m := it.Manifest.Meta
		ri := ui.ReviewItem{ID: m.ID, Agent: m.Owner, Started: m.Started, Duration: m.Duration, Resolved: it.Resolved, Notes: len(it.Reviews)}
		for _, f := range m.Flags {
			ri.Reasons = append(ri.Reasons, f.Reason)
		}
		out = append(out, ri)
	}
	return out, nil
}

// ReviewPlay plays a recording on the output device (decrypted in memory, audited).
func (p centralPhone) ReviewPlay(ctx context.Context, id string) error {
	r, err := p.c.reviewer()
	if err != nil {
		return err
	}
	return p.c.play(r, id)
}

// ReviewNote adds a note; resolve clears the flag.
func (p centralPhone) ReviewNote(ctx context.Context, id, note string, resolve bool) error {
	r, err := p.c.reviewer()
	if err != nil {
		return err
	}
	return r.Note(ctx, id, note, resolve)
}

// ReviewHold sets or lifts the S3 legal hold.
func (p centralPhone) ReviewHold(ctx context.Context, id, reason string, on bool) error {
	r, err := p.c.reviewer()
	if err != nil {
		return err
	}
	return r.Hold(ctx, id, reason, on)
}

// ReviewDelete deletes a recording from central storage.
func (p centralPhone) ReviewDelete(ctx context.Context, id, reason string) error {
	r, err := p.c.reviewer()
	if err != nil {
		return err
	}
	return r.Delete(ctx, id, reason)
}
