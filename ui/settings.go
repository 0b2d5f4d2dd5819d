package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/config"
	"softphone/phone"
)

// SettingsView edits the account, CA file, sound devices and language, and
// shows the media security policy (read-only except for admins).
type SettingsView struct {
	d *Desktop
	// Root is the view's content.
	Root fyne.CanvasObject

	Server      *shortcutEntry
	User        *shortcutEntry
	AuthUser    *shortcutEntry
	Domain      *shortcutEntry
	DisplayName *shortcutEntry
	CAFile      *shortcutEntry
	BrowseCA    *widget.Button

	// Input, Output and Ring select sound devices ("" = system default).
	Input  *widget.Select
	Output *widget.Select
	Ring   *widget.Select
	// orders show each kind's priority list (settings_priority.go).
	orders map[string]*DeviceOrder
	// EchoCancel switches echo cancellation and noise suppression: automatic (off with a
	// headset), on or off.
	EchoCancel *widget.Select

	Language *widget.Select

	// SRTPPolicy states the media encryption policy.
	SRTPPolicy *widget.Label
	// AllowPlain lets an admin permit unencrypted calls; disabled for others
	// and when the policy locks it.
	AllowPlain *widget.Check
	// Locked says which settings the policy fixes (hidden when none).
	Locked *widget.Label

	Save    *widget.Button
	Message *widget.Label

	cfg config.Config
}

func newSettingsView(d *Desktop) *SettingsView {
	v := &SettingsView{d: d, cfg: config.Default()}
	if d.settings != nil {
		v.cfg = d.settings.Settings()
	}
	a := v.cfg.Account
	entry := func(text, place string) *shortcutEntry {
		e := d.newEntry()
		e.SetText(text)
		e.SetPlaceHolder(place)
		e.OnChanged = func(string) { d.touch() }
		return e
	}
	v.Server = entry(a.Server, "pbx.example.com:5061")
	v.User = entry(a.User, "1001")
	v.AuthUser = entry(a.AuthUser, lang.L("same as user"))
	v.Domain = entry(a.Domain, "pbx.example.com")
	v.DisplayName = entry(a.DisplayName, "")
	v.CAFile = entry(a.CAFile, lang.L("system certificates"))
	v.BrowseCA = widget.NewButtonWithIcon(lang.L("Choose…"), theme.FolderOpenIcon(), v.browseCA)

	v.Input = v.deviceSelect(DeviceInput, v.cfg.Audio.Input)
	v.Output = v.deviceSelect(DeviceOutput, v.cfg.Audio.Output)
	v.Ring = v.deviceSelect(DeviceRing, v.cfg.Audio.Ring)
	v.EchoCancel = v.echoSelect()
	v.Language = languageSelect(d)

	v.SRTPPolicy = widget.NewLabel("")
	v.SRTPPolicy.Wrapping = fyne.TextWrapWord
	v.AllowPlain = widget.NewCheck(lang.L("Allow unencrypted calls (plain RTP)"), func(on bool) {
		v.cfg.Media.AllowPlainRTP = on
		v.showPolicy()
	})
	v.AllowPlain.Checked = v.cfg.Media.AllowPlainRTP
	if d.state.login.Role != phone.RoleAdmin {
		v.AllowPlain.Disable()
	}
	v.showPolicy()
	v.applyLocks(d.lockedKeys())

	v.Save = widget.NewButtonWithIcon(lang.L("Save"), theme.DocumentSaveIcon(), v.save)
	v.Save.Importance = widget.HighImportance
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Hide()

	cols := &cardColumns{}
	scroll := container.NewVScroll(container.NewPadded(container.New(cols, v.cards()...)))
	cols.changed = scroll.Refresh
	v.Root = container.NewBorder(nil, container.NewPadded(container.NewVBox(v.Message, v.Save)), nil, nil, scroll)
	if d.settings == nil {
		v.readOnly()
	}
	return v
}

// cards are the settings' sections.
func (v *SettingsView) cards() []fyne.CanvasObject {
	account := widget.NewForm(
		widget.NewFormItem(lang.L("Server"), v.Server),
		widget.NewFormItem(lang.L("User"), v.User),
		widget.NewFormItem(lang.L("Auth user"), v.AuthUser),
		widget.NewFormItem(lang.L("Domain"), v.Domain),
		widget.NewFormItem(lang.L("Display name"), v.DisplayName),
		widget.NewFormItem(lang.L("CA file"), container.NewBorder(nil, nil, nil, v.BrowseCA, v.CAFile)),
	)
	audio := widget.NewForm(
		widget.NewFormItem(lang.L("Microphone"), v.newDeviceOrder(DeviceInput).row(v.Input)),
		widget.NewFormItem(lang.L("Speaker"), v.newDeviceOrder(DeviceOutput).row(v.Output)),
		widget.NewFormItem(lang.L("Ringtone device"), v.newDeviceOrder(DeviceRing).row(v.Ring)),
		widget.NewFormItem(lang.L("Echo cancellation"), v.EchoCancel),
	)
	general := widget.NewForm(widget.NewFormItem(lang.L("Language"), v.Language))
	security := container.NewVBox(v.SRTPPolicy, v.AllowPlain, v.Locked)

	keys := widget.NewLabel(strings.Join([]string{
		tip(lang.L("Answer"), ShortcutAnswer),
		tip(lang.L("Hang up / decline"), ShortcutHangup),
		tip(lang.L("Mute / unmute microphone"), ShortcutMute),
		tip(lang.L("Hold / resume"), ShortcutHold),
		tip(lang.L("Focus the number field"), ShortcutDialer),
		tip(lang.L("Lock the desktop"), ShortcutLock),
		lang.L("Phone, History, Settings") + " (" + strings.Join([]string{shortcutLabel(ShortcutTabs[TabPhone]), shortcutLabel(ShortcutTabs[TabHistory]), shortcutLabel(ShortcutTabs[TabSettings])}, ", ") + ")",
	}, "\n"))

	return []fyne.CanvasObject{
		widget.NewCard("", lang.L("Account"), account),
		widget.NewCard("", lang.L("Sound"), audio),
		widget.NewCard("", lang.L("Call security"), security),
		widget.NewCard("", lang.L("General"), general),
		widget.NewCard("", lang.L("Keyboard shortcuts"), keys),
	}
}

// readOnly disables editing where there is no settings store.
func (v *SettingsView) readOnly() {
	for _, e := range []*shortcutEntry{v.Server, v.User, v.AuthUser, v.Domain, v.DisplayName, v.CAFile} {
		e.Disable()
	}
	v.BrowseCA.Disable()
	v.Save.Disable()
	v.AllowPlain.Disable()
	v.Message.SetText(lang.L("Settings are managed by your administrator."))
	v.Message.Show()
}

// showPolicy states the SRTP policy in words.
func (v *SettingsView) showPolicy() {
	suites := strings.Join(v.cfg.Media.Suites, ", ")
	if v.cfg.Media.AllowPlainRTP {
		v.SRTPPolicy.Importance = widget.DangerImportance
		v.SRTPPolicy.SetText(lang.L("Encryption (SRTP) is optional: calls without it are allowed and marked NOT ENCRYPTED. Suites: {{.Suites}}", map[string]any{"Suites": suites}))
		return
	}
	v.SRTPPolicy.Importance = widget.SuccessImportance
	v.SRTPPolicy.SetText(lang.L("Encryption (SRTP) is required for every call. Suites: {{.Suites}}", map[string]any{"Suites": suites}))
}

// deviceSelect offers the devices of a kind; the first entry is the
// system default. Without device support it shows only the default.
func (v *SettingsView) deviceSelect(kind, selected string) *widget.Select {
	d := v.d
	def := lang.L("System default")
	s := widget.NewSelect([]string{def}, nil)
	s.SetSelected(def)
	if selected != "" {
		s.Options = append(s.Options, selected)
		s.SetSelected(selected)
	}
	s.OnChanged = func(name string) {
		d.touch()
		dev := name
		if name == def {
			dev = ""
		}
		v.preferDevice(kind, dev) // heads the role's priority list; the others stay as fallbacks
		if d.devices != nil {
			d.do(func(context.Context) error { return d.devices.SetAudioDevice(kind, dev) }, v.showError)
		}
	}
	if d.devices == nil {
		return s
	}
	var names []string
	d.do(func(context.Context) error {
		var err error
		names, err = d.devices.AudioDevices(kind)
		return err
	}, func(err error) {
		if err != nil {
			v.showError(err)
			return
		}
		opts := []string{def}
		for _, n := range names {
			if n != "" {
				opts = append(opts, n)
			}
		}
		if selected != "" && !contains(opts, selected) {
			// The preferred device is unplugged: keep it listed so the
			// choice is not lost; audio falls back to the default.
			opts = append(opts, selected)
		}
		s.Options = opts
		s.Refresh()
	})
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (v *SettingsView) browseCA() {
	d := v.d
	dlg := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		v.CAFile.SetText(path)
	}, d.win)
	dlg.SetFilter(storage.NewExtensionFileFilter([]string{".pem", ".crt", ".cer"}))
	dlg.Show()
}

func (v *SettingsView) showError(err error) {
	if err == nil {
		return
	}
	v.Message.Importance = widget.DangerImportance
	v.Message.SetText(errorText(err))
	v.Message.Show()
}

// save stores the settings through the phone.
func (v *SettingsView) save() {
	d := v.d
	if d.settings == nil {
		return
	}
	cfg := v.cfg
	cfg.Account.Server = strings.TrimSpace(v.Server.Text)
	cfg.Account.User = strings.TrimSpace(v.User.Text)
	cfg.Account.AuthUser = strings.TrimSpace(v.AuthUser.Text)
	cfg.Account.Domain = strings.TrimSpace(v.Domain.Text)
	cfg.Account.DisplayName = strings.TrimSpace(v.DisplayName.Text)
	cfg.Account.CAFile = strings.TrimSpace(v.CAFile.Text)
	cfg.UI.Language = d.language
	if d.state.login.Role != phone.RoleAdmin {
		// The policy is read-only for agents whatever the widget says.
		cfg.Media.AllowPlainRTP = d.settings.Settings().Media.AllowPlainRTP
	}
	if err := cfg.Validate(); err != nil {
		v.showError(err)
		return
	}
	v.Save.Disable()
	d.do(func(ctx context.Context) error { return d.settings.SaveSettings(ctx, cfg) }, func(err error) {
		if d.Main == nil || d.Main.Settings != v {
			return
		}
		v.Save.Enable()
		if err != nil {
			v.showError(err)
			return
		}
		v.cfg = cfg
		v.Message.Importance = widget.SuccessImportance
		v.Message.SetText(lang.L("Settings saved."))
		v.Message.Show()
	})
}

// focusTarget is where the keyboard focus goes when the tab is chosen with
// the keyboard (ShortcutTabs): the first account field, or the microphone
// when an administrator manages the account.
func (v *SettingsView) focusTarget() fyne.Focusable {
	return firstEnabled(v.Server, v.Input)
}
