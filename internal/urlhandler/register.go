package urlhandler

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultSchemes are the link schemes the softphone registers for.
var DefaultSchemes = []string{"sip", "tel"}

// DefaultArgs come between the executable and the link in the registered
// command: `softphone open --start LINK`.
var DefaultArgs = []string{"open", "--start"}

// Config says what to register. AppID and Name come from FyneApp.toml.
type Config struct {
	// AppID is the reverse-DNS application id ("com.example.softphone"); it
	// names the .desktop file and the Windows ProgID.
	AppID string
	// Name is the display name ("Softphone").
	Name string
	// Exe is the absolute path of the executable; "" means os.Executable().
	Exe string
	// Args come before the link in the command line; nil means DefaultArgs.
	Args []string
	// Schemes to register; nil means DefaultSchemes.
	Schemes []string
	// Icon is an icon name or path for the .desktop file; "" means AppID.
	Icon string
}

// withDefaults fills the zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	if c.AppID == "" || strings.ContainsAny(c.AppID, `/\ ;"'`) {
		return c, fmt.Errorf("urlhandler: bad AppID %q", c.AppID)
	}
	if c.Name == "" {
		c.Name = c.AppID
	}
	if c.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("urlhandler: %w", err)
		}
		c.Exe = exe
	}
	if !filepath.IsAbs(c.Exe) {
		return c, fmt.Errorf("urlhandler: executable path %q is not absolute", c.Exe)
	}
	if c.Args == nil {
		c.Args = DefaultArgs
	}
	if c.Schemes == nil {
		c.Schemes = DefaultSchemes
	}
	for _, s := range c.Schemes {
		if s != "sip" && s != "sips" && s != "tel" {
			return c, fmt.Errorf("urlhandler: %w: %q", ErrUnsupportedScheme, s)
		}
	}
	if c.Icon == "" {
		c.Icon = c.AppID
	}
	return c, nil
}

// Register makes this program the handler of the configured link schemes
// for the current user. On Linux it writes the .desktop file and runs
// xdg-mime (ErrToolMissing if absent: the file is still installed); on
// Windows it writes HKCU registry keys; on macOS it returns ErrBundleManaged.
func Register(cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	return register(cfg)
}

// Unregister removes what Register wrote, leaving other applications'
// registrations alone.
func Unregister(cfg Config) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	return unregister(cfg)
}

// IsDefault reports whether this program is the registered handler of every
// configured scheme (for a first-start check: register only when not).
func IsDefault(cfg Config) (bool, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return false, err
	}
	return isDefault(cfg)
}

// Available reports whether no other application handles any configured
// scheme (none registered, or only this program): then a first start may
// register without overriding the user's choice.
func Available(cfg Config) (bool, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return false, err
	}
	return available(cfg)
}

// DesktopEntry returns the freedesktop.org .desktop file that declares the
// scheme handlers (also the template of packaging/linux/softphone.desktop).
func DesktopEntry(cfg Config) (string, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return "", err
	}
	return desktopEntry(cfg), nil
}

func desktopEntry(c Config) string {
	mimes := make([]string, len(c.Schemes))
	for i, s := range c.Schemes {
		mimes[i] = "x-scheme-handler/" + s
	}
	exec := []string{desktopQuote(c.Exe)}
	for _, a := range c.Args {
		exec = append(exec, desktopQuote(a))
	}
	exec = append(exec, "%u")
	var b strings.Builder
	b.WriteString("[Desktop Entry]\n")
	b.WriteString("Type=Application\n")
	b.WriteString("Version=1.4\n")
	b.WriteString("Name=" + desktopValue(c.Name) + "\n")
	b.WriteString("GenericName=SIP Softphone\n")
	b.WriteString("Comment=Call-center softphone (SIP over TLS, SRTP)\n")
	b.WriteString("Exec=" + strings.Join(exec, " ") + "\n")
	b.WriteString("Icon=" + desktopValue(c.Icon) + "\n")
	b.WriteString("Terminal=false\n")
	b.WriteString("Categories=Network;Telephony;\n")
	b.WriteString("MimeType=" + strings.Join(mimes, ";") + ";\n")
	b.WriteString("StartupWMClass=" + desktopValue(c.Name) + "\n")
	return b.String()
}

// desktopQuote quotes one Exec argument per the Desktop Entry spec: reserved
// characters need double quotes, inside which " ` $ \ are backslash-escaped;
// a literal % is written %%. The value is then escaped as a string value.
func desktopQuote(arg string) string {
	arg = strings.ReplaceAll(arg, "%", "%%")
	if arg != "" && !strings.ContainsAny(arg, " \t\n\"'\\><~|&;$*?#()`") {
		return arg
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return desktopValue(b.String())
}

// desktopValue escapes a string value (backslash, newline, tab).
func desktopValue(s string) string {
	r := strings.NewReplacer("\\", `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	return r.Replace(s)
}

// windowsCommand is the shell\open\command value: quoted exe, args, "%1".
func windowsCommand(c Config) string {
	parts := []string{`"` + c.Exe + `"`}
	for _, a := range c.Args {
		if strings.ContainsAny(a, " \t\"") {
			a = `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
		}
		parts = append(parts, a)
	}
	parts = append(parts, `"%1"`)
	return strings.Join(parts, " ")
}

var errNoHome = errors.New("urlhandler: no home directory")
