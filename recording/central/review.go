package central

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"filippo.io/age"

	"softphone/internal/s3store"
	"softphone/recording"
)

// Audit actions of the reviewer (the same strings as package audit's).
const (
	actPlay    = "recording.playback"
	actReview  = "recording.review"
	actHold    = "recording.hold"
	actRelease = "recording.release"
	actDelete  = "recording.delete"
)

// Objects is the central store as the reviewer needs it; *s3store.Bucket implements it.
type Objects interface {
	Putter
	Get(ctx context.Context, key string, max int64) ([]byte, error)
	List(ctx context.Context, prefix string, versions bool) ([]s3store.ObjectInfo, error)
	SetLegalHold(ctx context.Context, key, versionID string, on bool) error
	LegalHold(ctx context.Context, key, versionID string) (bool, error)
	RemoveVersion(ctx context.Context, key, versionID string, bypass bool) error
}

// Permitter decides whether a role may do something with recordings.
type Permitter interface {
	Permit(role recording.Role, p recording.Permission) error
}

// RolePermits is the Permitter of the recording role table.
type RolePermits struct{}

// Permit returns ErrPermission unless the role has the permission.
func (RolePermits) Permit(role recording.Role, p recording.Permission) error {
	if !role.Can(p) {
		return fmt.Errorf("%w (%s needs %s)", ErrPermission, role, p)
	}
	return nil
}

// IdentitySource supplies the organisation identity that policy grants the
// reviewer (today from the vault or an identity file; later machine policy).
type IdentitySource interface {
	OrgIdentities() ([]age.Identity, error)
}

// Auditor receives audit events; *audit.Log implements it.
type Auditor interface {
	Record(action, actor string, attrs map[string]string) error
}

// ReviewerConfig is what a Reviewer needs.
type ReviewerConfig struct {
	Store      Objects
	Recipients []age.Recipient // review notes are encrypted to them
	Identities IdentitySource
	Permits    Permitter // nil means RolePermits
	Auditor    Auditor
	Actor      string
	Role       recording.Role
	Clock      func() time.Time
	Logger     *slog.Logger
}

// Reviewer is a supervisor's view of central storage.
type Reviewer struct {
	cfg ReviewerConfig
	log *slog.Logger

	mu   sync.Mutex        // guards days
	days map[string]string // recording id → day, learnt by List, so Get lists one prefix
}

// Item is one recording in central storage with its review notes.
type Item struct {
	Day      string
	Manifest Manifest
	Reviews  []Review
	Resolved bool // a reviewer resolved the flag
}

// ID returns the recording id.
func (it Item) ID() string { return it.Manifest.Meta.ID }

// Open reports whether the recording is flagged and not resolved.
func (it Item) Open() bool { return it.Manifest.Meta.Flagged() && !it.Resolved }

// ReviewFilter narrows List. Zero values match everything flagged and open.
type ReviewFilter struct {
	Agent    string    // owner profile name, exact
	From, To time.Time // recording start, inclusive From, exclusive To
	Reason   string    // substring of a flag reason (case-insensitive)
	All      bool      // include unflagged and resolved recordings
}

// NewReviewer checks the configuration.
func NewReviewer(cfg ReviewerConfig) (*Reviewer, error) {
	if cfg.Store == nil || cfg.Actor == "" || cfg.Auditor == nil {
		return nil, fmt.Errorf("%w: reviewer needs a store, an actor and an audit log", ErrConfig)
	}
	if cfg.Permits == nil {
		cfg.Permits = RolePermits{}
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Reviewer{cfg: cfg, log: cfg.Logger.With("component", "review"), days: map[string]string{}}, nil
}

func (r *Reviewer) ids() ([]age.Identity, error) {
	if r.cfg.Identities == nil {
		return nil, fmt.Errorf("%w: no organisation identity for review", ErrConfig)
	}
	return r.cfg.Identities.OrgIdentities()
}

// List returns the recordings in central storage that match f, oldest first.
func (r *Reviewer) List(ctx context.Context, f ReviewFilter) ([]Item, error) {
	if err := r.cfg.Permits.Permit(r.cfg.Role, recording.PermListAll); err != nil {
		return nil, err
	}
	ids, err := r.ids()
	if err != nil {
		return nil, err
	}
	objs, err := r.cfg.Store.List(ctx, "rec/", false)
	if err != nil {
		return nil, err
	}
	var out []Item
	groups := groupRecordings(objs)
	r.mu.Lock()
	for _, g := range groups {
		r.days[g.id] = g.day
	}
	r.mu.Unlock()
	for _, g := range groups {
		it, err := r.load(ctx, g, ids)
		if err != nil {
			r.log.Warn("central recording unreadable", "recording", g.id, "err", err)
			continue
		}
		if f.match(it) {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Manifest.Meta.Started.Before(out[b].Manifest.Meta.Started) })
	return out, nil
}

func (f ReviewFilter) match(it Item) bool {
	m := it.Manifest.Meta
	switch {
	case !f.All && !it.Open():
		return false
	case f.Agent != "" && m.Owner != f.Agent:
		return false
	case !f.From.IsZero() && m.Started.Before(f.From):
		return false
	case !f.To.IsZero() && !m.Started.Before(f.To):
		return false
	}
	if f.Reason == "" {
		return true
	}
	for _, fl := range m.Flags {
		if strings.Contains(strings.ToLower(fl.Reason), strings.ToLower(f.Reason)) {
			return true
		}
	}
	return false
}

// group is the objects of one recording.
type group struct {
	day, id  string
	manifest bool
	reviews  []string
}

func groupRecordings(objs []s3store.ObjectInfo) []group {
	byID := map[string]*group{}
	var order []string
	for _, o := range objs {
		day, id, name, ok := splitRecKey(o.Key)
		if !ok {
			continue
		}
		g := byID[id]
		if g == nil {
			g = &group{day: day, id: id}
			byID[id] = g
			order = append(order, id)
		}
		switch {
		case name == "manifest.age":
			g.manifest = true
		case strings.HasPrefix(name, "review-"):
			g.reviews = append(g.reviews, o.Key)
		}
	}
	out := make([]group, 0, len(order))
	for _, id := range order {
		if g := byID[id]; g.manifest {
			out = append(out, *g) // without a manifest the upload is not finished
		}
	}
	return out
}

func (r *Reviewer) load(ctx context.Context, g group, ids []age.Identity) (Item, error) {
	it := Item{Day: g.day}
	data, err := r.cfg.Store.Get(ctx, manifestKey(g.day, g.id), 4<<20)
	if err != nil {
		return it, err
	}
	if err := open(data, ids, &it.Manifest); err != nil {
		return it, err
	}
	if it.Manifest.Meta.ID != g.id {
		return it, fmt.Errorf("%w: manifest of %s names %s", ErrTampered, g.id, it.Manifest.Meta.ID)
	}
	sort.Strings(g.reviews) // keys carry the time: oldest first
	for _, k := range g.reviews {
		data, err := r.cfg.Store.Get(ctx, k, 1<<20)
		if err != nil {
			return it, err
		}
		var rv Review
		if err := open(data, ids, &rv); err != nil {
			return it, err
		}
		it.Reviews = append(it.Reviews, rv)
		it.Resolved = rv.Resolved
	}
	return it, nil
}

// Get returns one recording.
func (r *Reviewer) Get(ctx context.Context, id string) (Item, error) {
	if err := r.cfg.Permits.Permit(r.cfg.Role, recording.PermListAll); err != nil {
		return Item{}, err
	}
	if !idRe.MatchString(id) {
		return Item{}, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	ids, err := r.ids()
	if err != nil {
		return Item{}, err
	}
	// A recording seen by List is looked up under its own prefix; otherwise
	// every recording is listed (the id alone does not say the day).
	prefix := "rec/"
	r.mu.Lock()
	if day, ok := r.days[id]; ok {
		prefix = recPrefix(day, id)
	}
	r.mu.Unlock()
	objs, err := r.cfg.Store.List(ctx, prefix, false)
	if err != nil {
		return Item{}, err
	}
	for _, g := range groupRecordings(objs) {
		if g.id == id {
			return r.load(ctx, g, ids)
		}
	}
	return Item{}, fmt.Errorf("%s: %w", id, ErrNotFound)
}

// Note adds a review note; resolve clears the flag for the review list.
func (r *Reviewer) Note(ctx context.Context, id, note string, resolve bool) error {
	if strings.TrimSpace(note) == "" {
		return ErrReasonRequired
	}
	it, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	now := r.cfg.Clock().UTC()
	data, err := seal(Review{By: r.cfg.Actor, At: now, Note: note, Resolved: resolve}, r.cfg.Recipients)
	if err != nil {
		return err
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	key := fmt.Sprintf("%sreview-%020d-%s.age", recPrefix(it.Day, id), now.UnixNano(), hex.EncodeToString(rnd[:]))
	m := it.Manifest.Meta
	if _, err := r.cfg.Store.Put(ctx, key, data, s3store.Lock{RetainUntil: m.RetainUntil}); err != nil {
		return err
	}
	return r.cfg.Auditor.Record(actReview, r.cfg.Actor, map[string]string{
		"recording": id, "resolved": fmt.Sprint(resolve), "source": "central"})
}

// Play decrypts the recording in memory and writes it to w as a WAV
// (left agent, right customer). The access is audited before any audio is
// decrypted; nothing decrypted is written anywhere but w.
func (r *Reviewer) Play(ctx context.Context, id string, w io.Writer) error {
	if err := r.cfg.Permits.Permit(r.cfg.Role, recording.PermPlayback); err != nil {
		return err
	}
	it, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	ids, err := r.ids()
	if err != nil {
		return err
	}
	src := &packSource{ctx: ctx, store: r.cfg.Store, day: it.Day, m: it.Manifest}
	rd, err := recording.NewReader(it.Manifest.Meta, it.Manifest.WrappedKey, src.segment, ids...)
	if err != nil {
		return err
	}
	if err := r.cfg.Auditor.Record(actPlay, r.cfg.Actor, map[string]string{
		"recording": id, "owner": it.Manifest.Meta.Owner, "source": "central"}); err != nil {
		return fmt.Errorf("playback not audited, refused: %w", err)
	}
	return rd.WriteWAV(w)
}
