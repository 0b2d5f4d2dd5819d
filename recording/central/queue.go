package central

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"softphone/internal/safefile"
)

// job is the persistent upload state of one recording: one JSON file per
// recording in the queue directory, replaced atomically after every step,
// so an upload resumes after a crash at the first pack not yet verified.
type job struct {
	ID  string `json:"id"`
	Day string `json:"day"`
	// Packs are the packs uploaded and verified so far.
	Packs []Pack `json:"packs"`
	// ManifestSum is the SHA-256 of the manifest content last uploaded
	// (empty: none yet); a changed flag or hold uploads it again.
	ManifestSum string    `json:"manifest_sum,omitempty"`
	Closed      bool      `json:"closed"` // the recording was sealed when the manifest went up
	Uploaded    time.Time `json:"uploaded,omitzero"`
	Offloaded   bool      `json:"offloaded"`
	Attempts    int       `json:"attempts"`
	LastError   string    `json:"last_error,omitempty"`
}

// nextSegment is the first segment not yet in an uploaded pack.
func (j *job) nextSegment() int {
	if len(j.Packs) == 0 {
		return 1
	}
	return j.Packs[len(j.Packs)-1].Last() + 1
}

// queue is the directory of job files. Only the uploader goroutine writes it.
type queue struct {
	dir string
}

func openQueue(dir string) (*queue, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("upload queue: %w", err)
	}
	// Leftovers of a save interrupted by a crash hold nothing the job file lacks.
	tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
	for _, t := range tmps {
		os.Remove(t)
	}
	return &queue{dir: dir}, nil
}

func (q *queue) path(id string) string { return filepath.Join(q.dir, id+".json") }

// load returns the job of a recording, or a fresh one when there is none.
func (q *queue) load(id string) (*job, error) {
	b, err := os.ReadFile(q.path(id))
	if errors.Is(err, os.ErrNotExist) {
		return &job{ID: id}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("upload queue: %w", err)
	}
	var j job
	if err := json.Unmarshal(b, &j); err != nil || j.ID != id {
		// A damaged state file only costs a re-upload: start over.
		return &job{ID: id}, nil
	}
	return &j, nil
}

// save writes the job durably: temporary file, fsync, rename, fsync dir.
func (q *queue) save(j *job) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := safefile.WriteFile(q.path(j.ID), b, 0o600); err != nil {
		return fmt.Errorf("upload queue: %w", err)
	}
	if d, err := os.Open(q.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// all returns every job in the queue, by id.
func (q *queue) all() ([]*job, error) {
	ents, err := os.ReadDir(q.dir)
	if err != nil {
		return nil, fmt.Errorf("upload queue: %w", err)
	}
	var out []*job
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !idRe.MatchString(id) {
			continue
		}
		j, err := q.load(id)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}
