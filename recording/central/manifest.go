package central

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"filippo.io/age"

	"softphone/recording"
)

// manifestVersion is the format of Manifest.
const manifestVersion = 1

// Manifest describes one recording in central storage. It is stored
// encrypted to the organisation's recipients, so the store never sees the
// agent's name, flags or the customer pseudonym.
type Manifest struct {
	Version int            `json:"v"`
	Agent   string         `json:"agent"` // pseudonymous installation id of the uploader
	Meta    recording.Meta `json:"meta"`
	// WrappedKey is the recording's key, encrypted to the organisation's recipients.
	WrappedKey []byte    `json:"wrapped_key"`
	Packs      []Pack    `json:"packs"`
	Uploaded   time.Time `json:"uploaded"`
}

// Pack is one uploaded object holding consecutive segment files.
type Pack struct {
	N      int     `json:"n"`     // 1, 2, 3 …
	First  int     `json:"first"` // first segment number in the pack
	Sizes  []int64 `json:"sizes"` // size of each segment file, in order
	Size   int64   `json:"size"`
	SHA256 string  `json:"sha256"` // base64, as S3 reports it
}

// Last returns the number of the last segment in the pack.
func (p Pack) Last() int { return p.First + len(p.Sizes) - 1 }

// Review is a supervisor's note on a recording; Resolved clears the flag.
type Review struct {
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Note     string    `json:"note"`
	Resolved bool      `json:"resolved"`
}

var idRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// recPrefix is the key prefix of one recording.
func recPrefix(day, id string) string { return "rec/" + day + "/" + id + "/" }

func manifestKey(day, id string) string { return recPrefix(day, id) + "manifest.age" }

func packKey(day, id string, n int) string {
	return fmt.Sprintf("%spack-%06d.age", recPrefix(day, id), n)
}

// dayOf is the UTC day of a recording's start, the first level of its key.
func dayOf(m recording.Meta) string { return m.Started.UTC().Format(time.DateOnly) }

// splitRecKey splits "rec/DAY/ID/NAME" into its parts.
func splitRecKey(key string) (day, id, name string, ok bool) {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || parts[0] != "rec" || !idRe.MatchString(parts[2]) {
		return "", "", "", false
	}
	if _, err := time.Parse(time.DateOnly, parts[1]); err != nil {
		return "", "", "", false
	}
	return parts[1], parts[2], parts[3], true
}

// seal encrypts v as JSON to the recipients.
func seal(v any, rcpts []age.Recipient) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, rcpts...)
	if err != nil {
		return nil, fmt.Errorf("encrypt manifest: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// open decrypts and decodes what seal made.
func open(data []byte, ids []age.Identity, v any) error {
	r, err := age.Decrypt(bytes.NewReader(data), ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return fmt.Errorf("%w: %v", recording.ErrWrongKey, err)
		}
		return fmt.Errorf("%w: %v", ErrTampered, err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTampered, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("%w: %v", ErrTampered, err)
	}
	return nil
}
