package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ReviewItem is one recording in central storage as the Review view shows it.
type ReviewItem struct {
	ID       string
	Agent    string
	Started  time.Time
	Duration time.Duration
	Reasons  []string // flag reasons
	Resolved bool
	Notes    int
}

// ReviewQuery filters the Review list; zero values match every open flag.
type ReviewQuery struct {
	Agent, Reason string
	From, To      time.Time
	All           bool // include resolved and unflagged recordings
}

// Reviewer is implemented by a phone whose profile may review other agents'
// flagged recordings in central storage. Playback is decrypted in memory and
// played on the output device; every call is audited by the implementation.
type Reviewer interface {
	// CanReview reports whether the logged-in role may review.
	CanReview() bool
	ReviewList(ctx context.Context, q ReviewQuery) ([]ReviewItem, error)
	ReviewPlay(ctx context.Context, id string) error
	ReviewNote(ctx context.Context, id, note string, resolve bool) error
	ReviewHold(ctx context.Context, id, reason string, on bool) error
	ReviewDelete(ctx context.Context, id, reason string) error
}

// ReviewView is the supervisors' tab: flagged recordings of every agent.
type ReviewView struct {
	d  *Desktop
	rv Reviewer

	Root                      fyne.CanvasObject
	Agent, Reason, From, To   *shortcutEntry
	All                       *widget.Check
	RefreshBtn                *widget.Button
	List                      *widget.List
	Detail                    *widget.Label
	Note                      *shortcutEntry // note, or reason for hold and delete
	PlayBtn, NoteBtn, Resolve *widget.Button
	HoldBtn, ReleaseBtn, Del  *widget.Button
	Message                   *widget.Label

	items    []ReviewItem // only on the Fyne thread
	selected int          // index into items, -1 for none
}

func newReviewView(d *Desktop, rv Reviewer) *ReviewView {
	v := &ReviewView{d: d, rv: rv, selected: -1}
	v.Agent, v.Reason, v.From, v.To = d.newEntry(), d.newEntry(), d.newEntry(), d.newEntry()
	v.Agent.SetPlaceHolder(lang.L("Agent"))
	v.Reason.SetPlaceHolder(lang.L("Flag reason"))
	v.From.SetPlaceHolder(lang.L("From (YYYY-MM-DD)"))
	v.To.SetPlaceHolder(lang.L("Until (YYYY-MM-DD)"))
	v.All = widget.NewCheck(lang.L("Show resolved"), nil)
	v.RefreshBtn = widget.NewButtonWithIcon(lang.L("Refresh"), theme.ViewRefreshIcon(), v.refresh)
	v.List = widget.NewList(func() int { return len(v.items) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(v.rowText(i)) })
	v.List.OnSelected = func(i widget.ListItemID) { v.selected = i; v.showDetail() }
	v.Detail = widget.NewLabel(lang.L("Select a recording."))
	v.Detail.Wrapping = fyne.TextWrapWord
	v.Note = d.newEntry()
	v.Note.SetPlaceHolder(lang.L("Note or reason"))
	v.Note.OnChanged = func(string) { v.enable() }
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	v.PlayBtn = widget.NewButtonWithIcon(lang.L("Play"), theme.MediaPlayIcon(), v.play)
	v.NoteBtn = widget.NewButton(lang.L("Add note"), func() { v.note(false) })
	v.Resolve = widget.NewButtonWithIcon(lang.L("Resolve"), theme.ConfirmIcon(), func() { v.note(true) })
	v.HoldBtn = widget.NewButton(lang.L("Legal hold"), func() { v.hold(true) })
	v.ReleaseBtn = widget.NewButton(lang.L("Release hold"), func() { v.hold(false) })
	v.Del = widget.NewButtonWithIcon(lang.L("Delete"), theme.DeleteIcon(), v.confirmDelete)
	v.Del.Importance = widget.DangerImportance
	filters := container.NewGridWithColumns(6, v.Agent, v.Reason, v.From, v.To, v.All, v.RefreshBtn)
	actions := container.NewHBox(v.PlayBtn, v.NoteBtn, v.Resolve, v.HoldBtn, v.ReleaseBtn, v.Del)
	detail := container.NewVBox(v.Detail, v.Note, actions, v.Message)
	v.Root = container.NewBorder(filters, detail, nil, nil, v.List)
	v.enable()
	return v
}

func (v *ReviewView) rowText(i int) string {
	if i < 0 || i >= len(v.items) {
		return ""
	}
	it := v.items[i]
	state := ""
	if it.Resolved {
		state = " · " + lang.L("resolved")
	}
	return fmt.Sprintf("%s  %s  %s  %s%s", it.Started.Local().Format("2006-01-02 15:04"), it.Agent,
		it.Duration.Round(time.Second), strings.Join(it.Reasons, "; "), state)
}

// query reads the filters; a bad date is reported, not guessed.
func (v *ReviewView) query() (ReviewQuery, error) {
	q := ReviewQuery{Agent: strings.TrimSpace(v.Agent.Text), Reason: strings.TrimSpace(v.Reason.Text), All: v.All.Checked}
	for _, f := range []struct {
		e   *shortcutEntry
		dst *time.Time
	}{{v.From, &q.From}, {v.To, &q.To}} {
		if s := strings.TrimSpace(f.e.Text); s != "" {
			t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
			if err != nil {
				return q, fmt.Errorf("%s: %s", s, lang.L("use YYYY-MM-DD"))
			}
			*f.dst = t
		}
	}
	return q, nil
}

func (v *ReviewView) refresh() {
	q, err := v.query()
	if err != nil {
		v.setMessage(err.Error())
		return
	}
	var items []ReviewItem
	v.RefreshBtn.Disable()
	v.d.do(func(ctx context.Context) (err error) {
		items, err = v.rv.ReviewList(ctx, q)
		return err
	}, func(err error) {
		v.RefreshBtn.Enable()
		if err != nil {
			v.setMessage(panelErrorText(err))
			return
		}
		v.items, v.selected = items, -1
		v.List.UnselectAll()
		v.List.Refresh()
		v.setMessage(fmt.Sprintf(lang.L("%d recordings"), len(items)))
		v.showDetail()
	})
}

func (v *ReviewView) current() (ReviewItem, bool) {
	if v.selected < 0 || v.selected >= len(v.items) {
		return ReviewItem{}, false
	}
	return v.items[v.selected], true
}

func (v *ReviewView) showDetail() {
	it, ok := v.current()
	if !ok {
		v.Detail.SetText(lang.L("Select a recording."))
	} else {
		v.Detail.SetText(fmt.Sprintf("%s · %s · %s · %d %s\n%s", it.Agent, it.Started.Local().Format("2006-01-02 15:04"),
			it.Duration.Round(time.Second), it.Notes, lang.L("notes"), strings.Join(it.Reasons, "\n")))
	}
	v.enable()
}

// enable shows which actions are possible: a recording must be selected,
// and notes, holds and deletions need a typed reason (they are audited).
func (v *ReviewView) enable() {
	_, sel := v.current()
	hasText := strings.TrimSpace(v.Note.Text) != ""
	for _, b := range []*widget.Button{v.PlayBtn, v.NoteBtn, v.Resolve, v.HoldBtn, v.ReleaseBtn, v.Del} {
		on := sel && (b == v.PlayBtn || hasText)
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (v *ReviewView) setMessage(s string) { v.Message.SetText(s) }

// act runs one audited request for the selected recording.
func (v *ReviewView) act(done string, req func(ctx context.Context, id, text string) error, reload bool) {
	it, ok := v.current()
	if !ok {
		return
	}
	text := strings.TrimSpace(v.Note.Text)
	v.d.do(func(ctx context.Context) error { return req(ctx, it.ID, text) }, func(err error) {
		if err != nil {
			v.setMessage(panelErrorText(err))
			return
		}
		v.setMessage(done)
		if reload {
			v.Note.SetText("")
			v.refresh()
		}
	})
}

func (v *ReviewView) play() {
	v.setMessage(lang.L("Playing…"))
	v.act(lang.L("Played."), func(ctx context.Context, id, _ string) error { return v.rv.ReviewPlay(ctx, id) }, false)
}

func (v *ReviewView) note(resolve bool) {
	msg := lang.L("Note added.")
	if resolve {
		msg = lang.L("Resolved.")
	}
	v.act(msg, func(ctx context.Context, id, text string) error { return v.rv.ReviewNote(ctx, id, text, resolve) }, true)
}

func (v *ReviewView) hold(on bool) {
	msg := lang.L("Legal hold set.")
	if !on {
		msg = lang.L("Legal hold released.")
	}
	v.act(msg, func(ctx context.Context, id, text string) error { return v.rv.ReviewHold(ctx, id, text, on) }, false)
}

func (v *ReviewView) confirmDelete() {
	v.d.confirm(lang.L("Delete recording?"), lang.L("The recording is deleted from central storage for good."), func(ok bool) {
		if ok {
			v.act(lang.L("Deleted."), func(ctx context.Context, id, text string) error { return v.rv.ReviewDelete(ctx, id, text) }, true)
		}
	})
}

// UploadState is the central upload state for the status line.
type UploadState struct {
	Pending   int
	Retrying  bool
	LastError string
}

// UploadStatus is implemented by a phone that uploads recordings to
// central storage; the main view polls it once a second.
type UploadStatus interface {
	UploadStatus() (UploadState, bool) // false: central storage not in use
}

// uploadText is the status line for s.
func uploadText(s UploadState) string {
	switch {
	case s.Retrying:
		return fmt.Sprintf(lang.L("Uploads: %d waiting, store unreachable, retrying"), s.Pending)
	case s.Pending > 0:
		return fmt.Sprintf(lang.L("Uploads: %d waiting"), s.Pending)
	}
	return lang.L("Uploads: all recordings stored centrally")
}
