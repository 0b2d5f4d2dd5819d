package ui

import (
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// tipDelay is how long the pointer rests on a button before its tooltip shows.
const tipDelay = 600 * time.Millisecond

// tipLayer draws tooltips above the window content. It is a plain container
// without interactive objects, so it never steals taps or hover from the
// widgets below (a PopUp overlay would, and the tooltip would flicker).
type tipLayer struct {
	root *fyne.Container
	box  *fyne.Container
	text *widget.Label
}

func newTipLayer() *tipLayer {
	t := &tipLayer{text: widget.NewLabel("")}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	bg.StrokeWidth = 1
	bg.CornerRadius = theme.InputRadiusSize()
	t.box = container.NewStack(bg, t.text)
	t.box.Hide()
	t.root = container.NewWithoutLayout(t.box)
	return t
}

// show places tip under obj.
func (t *tipLayer) show(obj fyne.CanvasObject, tip string) {
	d := fyne.CurrentApp().Driver()
	if d.CanvasForObject(obj) == nil || d.CanvasForObject(t.root) == nil {
		return
	}
	t.text.SetText(tip)
	size := t.box.MinSize()
	pos := d.AbsolutePositionForObject(obj).Subtract(d.AbsolutePositionForObject(t.root))
	pos = pos.Add(fyne.NewPos(0, obj.Size().Height+theme.Padding()))
	// Keep the tip inside the window.
	if lim := t.root.Size(); lim.Width > 0 {
		pos.X = max(0, min(pos.X, lim.Width-size.Width))
		if pos.Y+size.Height > lim.Height {
			pos.Y = d.AbsolutePositionForObject(obj).Y - d.AbsolutePositionForObject(t.root).Y - size.Height - theme.Padding()
		}
	}
	t.box.Resize(size)
	t.box.Move(pos)
	t.box.Show()
}

func (t *tipLayer) hide() { t.box.Hide() }

// tipButton is a button with a tooltip (Fyne 2.7 has none built in). The
// tooltip names the keyboard shortcut, if any.
type tipButton struct {
	widget.Button
	// Tooltip is shown when the pointer rests on the button.
	Tooltip string

	layer *tipLayer
	timer *time.Timer // Fyne thread only
}

func newTipButton(layer *tipLayer, label string, icon fyne.Resource, tip string, tapped func()) *tipButton {
	b := &tipButton{Tooltip: tip, layer: layer}
	b.Text = label
	b.Icon = icon
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

// MouseIn starts the tooltip delay.
func (b *tipButton) MouseIn(e *desktop.MouseEvent) {
	b.Button.MouseIn(e)
	if b.Tooltip == "" || b.layer == nil {
		return
	}
	b.stopTimer()
	b.timer = time.AfterFunc(tipDelay, func() {
		fyne.Do(func() { b.layer.show(b, b.Tooltip) })
	})
}

// MouseOut hides the tooltip.
func (b *tipButton) MouseOut() {
	b.Button.MouseOut()
	b.stopTimer()
	if b.layer != nil {
		b.layer.hide()
	}
}

// Tapped hides the tooltip and presses the button.
func (b *tipButton) Tapped(e *fyne.PointEvent) {
	b.stopTimer()
	if b.layer != nil {
		b.layer.hide()
	}
	b.Button.Tapped(e)
}

func (b *tipButton) stopTimer() {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

// pill is a coloured rounded badge with an icon and a short text, used for
// the registration state and the encryption badge.
type pill struct {
	widget.BaseWidget
	bg   *canvas.Rectangle
	icon *widget.Icon
	// Text is the badge text (tests read Text.Text).
	Text *canvas.Text
	// Color is the theme colour name of the background.
	Color fyne.ThemeColorName
}

func newPill(text string, icon fyne.Resource, c fyne.ThemeColorName) *pill {
	p := &pill{
		bg:   canvas.NewRectangle(theme.Color(c)),
		icon: widget.NewIcon(icon),
		Text: canvas.NewText(text, onColor(c)),
	}
	p.Text.TextStyle.Bold = true
	p.bg.CornerRadius = 12
	if icon == nil {
		p.icon.Hide()
	}
	p.Color = c
	p.ExtendBaseWidget(p)
	return p
}

// set changes the badge.
func (p *pill) set(text string, icon fyne.Resource, c fyne.ThemeColorName) {
	p.Text.Text = text
	p.Text.Color = onColor(c)
	p.bg.FillColor = theme.Color(c)
	p.Color = c
	if icon == nil {
		p.icon.Hide()
	} else {
		p.icon.SetResource(icon)
		p.icon.Show()
	}
	p.Refresh()
}

// CreateRenderer builds the badge.
func (p *pill) CreateRenderer() fyne.WidgetRenderer {
	inner := container.NewHBox(p.icon, p.Text)
	return widget.NewSimpleRenderer(container.NewStack(p.bg,
		container.New(layout.NewCustomPaddedLayout(2, 2, 10, 10), inner)))
}

// onColor returns the text colour that contrasts with a coloured background.
func onColor(c fyne.ThemeColorName) color.Color {
	switch c {
	case theme.ColorNameSuccess:
		return theme.Color(theme.ColorNameForegroundOnSuccess)
	case theme.ColorNameWarning:
		return theme.Color(theme.ColorNameForegroundOnWarning)
	case theme.ColorNameError:
		return theme.Color(theme.ColorNameForegroundOnError)
	case theme.ColorNamePrimary:
		return theme.Color(theme.ColorNameForegroundOnPrimary)
	}
	return theme.Color(theme.ColorNameForeground)
}

// shortcutEntry is an Entry that lets the desktop's own shortcuts through.
// A focused Entry swallows every shortcut in Fyne, so without this the
// answer/hang-up keys would not work while the agent types a number.
type shortcutEntry struct {
	widget.Entry
	// onShortcut returns true when it handled the shortcut.
	onShortcut func(fyne.Shortcut) bool
	// onPaste, if set, replaces the default paste (the dialer cleans numbers).
	onPaste func(text string)
}

func newShortcutEntry(onShortcut func(fyne.Shortcut) bool) *shortcutEntry {
	e := &shortcutEntry{onShortcut: onShortcut}
	e.ExtendBaseWidget(e)
	return e
}

// newEntry is a text field that leaves the desktop's shortcuts working
// while it has the focus (a plain widget.Entry keeps every shortcut to
// itself: Ctrl+Enter did not answer a ringing call while the agent typed
// wrap-up notes).
func (d *Desktop) newEntry() *shortcutEntry { return newShortcutEntry(d.shortcut) }

// newMultiLineEntry is newEntry over several lines, wrapping words.
func (d *Desktop) newMultiLineEntry() *shortcutEntry {
	e := d.newEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

func newShortcutPasswordEntry(onShortcut func(fyne.Shortcut) bool) *shortcutEntry {
	e := newShortcutEntry(onShortcut)
	e.Password = true
	return e
}

// TypedShortcut forwards desktop shortcuts, handles paste, and leaves the
// rest to the Entry.
func (e *shortcutEntry) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*desktop.CustomShortcut); ok && e.onShortcut != nil && e.onShortcut(s) {
		return
	}
	if p, ok := s.(*fyne.ShortcutPaste); ok && e.onPaste != nil && p.Clipboard != nil {
		e.onPaste(p.Clipboard.Content())
		return
	}
	e.Entry.TypedShortcut(s)
}

// padKey is one key of a keypad. It is tappable but deliberately not
// focusable, so Tab moves from the number field straight to the call button
// instead of through twelve keys.
type padKey struct {
	widget.BaseWidget
	// Digit is the character the key types.
	Digit string
	sub   string
	onTap func(digit string)

	bg      *canvas.Rectangle
	hovered bool
}

func newPadKey(digit, sub string, onTap func(string)) *padKey {
	k := &padKey{Digit: digit, sub: sub, onTap: onTap}
	k.ExtendBaseWidget(k)
	return k
}

// Tapped types the digit.
func (k *padKey) Tapped(*fyne.PointEvent) {
	if k.onTap != nil {
		k.onTap(k.Digit)
	}
}

// MouseIn highlights the key.
func (k *padKey) MouseIn(*desktop.MouseEvent) { k.hovered = true; k.Refresh() }

// MouseMoved is required by desktop.Hoverable.
func (k *padKey) MouseMoved(*desktop.MouseEvent) {}

// MouseOut removes the highlight.
func (k *padKey) MouseOut() { k.hovered = false; k.Refresh() }

// Cursor shows a pointer over the key.
func (k *padKey) Cursor() desktop.Cursor { return desktop.PointerCursor }

// CreateRenderer draws a rounded key with the digit and its letters.
func (k *padKey) CreateRenderer() fyne.WidgetRenderer {
	k.bg = canvas.NewRectangle(theme.Color(theme.ColorNameButton))
	k.bg.CornerRadius = theme.InputRadiusSize() * 2
	digit := canvas.NewText(k.Digit, theme.Color(theme.ColorNameForeground))
	digit.TextSize = theme.TextSize() * 1.5
	digit.Alignment = fyne.TextAlignCenter
	sub := canvas.NewText(k.sub, theme.Color(theme.ColorNamePlaceHolder))
	sub.TextSize = theme.CaptionTextSize()
	sub.Alignment = fyne.TextAlignCenter
	r := &padKeyRenderer{k: k, digit: digit, sub: sub}
	r.inner = widget.NewSimpleRenderer(container.NewStack(k.bg,
		container.NewVBox(layout.NewSpacer(), digit, sub, layout.NewSpacer())))
	return r
}

type padKeyRenderer struct {
	k          *padKey
	digit, sub *canvas.Text
	inner      fyne.WidgetRenderer
}

// Layout, MinSize, Objects, Destroy and Refresh implement fyne.WidgetRenderer.
func (r *padKeyRenderer) Layout(s fyne.Size)           { r.inner.Layout(s) }
func (r *padKeyRenderer) MinSize() fyne.Size           { return fyne.NewSize(64, 48) }
func (r *padKeyRenderer) Objects() []fyne.CanvasObject { return r.inner.Objects() }
func (r *padKeyRenderer) Destroy()                     {}
func (r *padKeyRenderer) Refresh() {
	if r.k.hovered {
		r.k.bg.FillColor = theme.Color(theme.ColorNameHover)
	} else {
		r.k.bg.FillColor = theme.Color(theme.ColorNameButton)
	}
	r.digit.Color = theme.Color(theme.ColorNameForeground)
	r.sub.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.inner.Refresh()
}

// cardColumns lays cards out in two equal columns when each gets its
// minimum width, else in one column. Its minimum width is one card's, so a
// long label (German) makes the cards stack instead of the window widen.
// Its minimum height follows the column count of the last layout; changed
// (the enclosing scroll's Refresh) is called when that height changes, so
// that the scroll takes the new extent.
type cardColumns struct {
	height  float32 // of the last layout; 0 before it: one column
	changed func()
}

// columns is how many columns fit width.
func (l *cardColumns) columns(objs []fyne.CanvasObject, width float32) int {
	if width >= 2*widest(objs)+theme.Padding() {
		return 2
	}
	return 1
}

// Layout places the cards row by row, left to right.
func (l *cardColumns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	cols := l.columns(objs, size.Width)
	pad := theme.Padding()
	w := (size.Width - float32(cols-1)*pad) / float32(cols)
	y := float32(0)
	for i := 0; i < len(objs); i += cols {
		row := objs[i:min(i+cols, len(objs))]
		h := float32(0)
		for _, o := range row {
			h = max(h, o.MinSize().Height)
		}
		for j, o := range row {
			o.Move(fyne.NewPos(float32(j)*(w+pad), y))
			o.Resize(fyne.NewSize(w, h))
		}
		y += h + pad
	}
	if y > 0 {
		y -= pad
	}
	if y != l.height {
		l.height = y
		if l.changed != nil {
			l.changed()
		}
	}
}

// MinSize is the widest card, and the height of the last layout (one
// column before the first).
func (l *cardColumns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := l.height
	if h == 0 {
		pad := theme.Padding()
		for _, o := range objs {
			h += o.MinSize().Height + pad
		}
		h = max(0, h-pad)
	}
	return fyne.NewSize(widest(objs), h)
}

func widest(objs []fyne.CanvasObject) float32 {
	w := float32(0)
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return w
}

// fixedWidth lays out its objects stacked with a fixed minimum width.
type fixedWidth struct{ w float32 }

// Layout stacks every object over the full size.
func (f fixedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// MinSize is the fixed width and the tallest object's height.
func (f fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(f.w, h)
}

// heading returns a large bold text for screen titles.
func heading(text string, scale float32) *canvas.Text {
	t := canvas.NewText(text, theme.Color(theme.ColorNameForeground))
	t.TextStyle.Bold = true
	t.TextSize = theme.TextSize() * scale
	return t
}

// requireReason keeps confirm disabled until entry holds a non-blank
// reason (reveals and flags are audited with it), and lets Enter submit
// only then.
func requireReason(entry *shortcutEntry, confirm *widget.Button, submit func()) {
	confirm.Disable()
	entry.OnChanged = func(s string) {
		if strings.TrimSpace(s) == "" {
			confirm.Disable()
		} else {
			confirm.Enable()
		}
	}
	entry.OnSubmitted = func(string) {
		if !confirm.Disabled() {
			submit()
		}
	}
}
