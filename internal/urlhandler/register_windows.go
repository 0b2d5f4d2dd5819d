//go:build windows

package urlhandler

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// Registry locations under HKEY_CURRENT_USER (no administrator rights
// needed). Tests point them at a scratch key.
var (
	classesKey      = `Software\Classes`
	softwareKey     = `Software`
	registeredApps  = `Software\RegisteredApplications`
	userChoiceKey   = `Software\Microsoft\Windows\Shell\Associations\UrlAssociations`
	errNotFoundTree = registry.ErrNotExist
)

func progID(c Config) string { return c.AppID + ".url" }

func capabilitiesKey(c Config) string { return softwareKey + `\` + c.AppID + `\Capabilities` }

// register writes, per scheme, HKCU\Software\Classes\<scheme> with
// "URL Protocol" and shell\open\command (what Windows uses when no user
// choice overrides it), a ProgID for the same command, and Capabilities +
// RegisteredApplications so Settings → Default apps lists the softphone
// (Windows 10+ lets only the user change an existing choice).
func register(c Config) error {
	cmd := windowsCommand(c)
	icon := `"` + c.Exe + `",0`
	for _, s := range c.Schemes {
		if err := writeHandler(classesKey+`\`+s, "URL:"+strings.ToUpper(s)+" link ("+c.Name+")", icon, cmd); err != nil {
			return err
		}
	}
	if err := writeHandler(classesKey+`\`+progID(c), c.Name+" link", icon, cmd); err != nil {
		return err
	}
	capk := capabilitiesKey(c)
	if err := setStrings(capk, map[string]string{
		"ApplicationName":        c.Name,
		"ApplicationDescription": c.Name + ": click-to-call for SIP and telephone links",
		"ApplicationIcon":        icon,
	}); err != nil {
		return err
	}
	assoc := map[string]string{}
	for _, s := range c.Schemes {
		assoc[s] = progID(c)
	}
	if err := setStrings(capk+`\URLAssociations`, assoc); err != nil {
		return err
	}
	return setStrings(registeredApps, map[string]string{c.Name: capk})
}

func writeHandler(key, desc, icon, cmd string) error {
	if err := setStrings(key, map[string]string{"": desc, "URL Protocol": ""}); err != nil {
		return err
	}
	if err := setStrings(key+`\DefaultIcon`, map[string]string{"": icon}); err != nil {
		return err
	}
	return setStrings(key+`\shell\open\command`, map[string]string{"": cmd})
}

func setStrings(path string, values map[string]string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.SET_VALUE|registry.QUERY_VALUE)
	if err != nil {
		return fmt.Errorf("urlhandler: create HKCU\\%s: %w", path, err)
	}
	defer k.Close()
	for name, v := range values {
		if err := k.SetStringValue(name, v); err != nil {
			return fmt.Errorf("urlhandler: set HKCU\\%s %q: %w", path, name, err)
		}
	}
	return nil
}

func readString(path, name string) (string, error) {
	k, err := registry.OpenKey(registry.CURRENT_USER, path, registry.QUERY_VALUE)
	if err != nil {
		return "", err
	}
	defer k.Close()
	v, _, err := k.GetStringValue(name)
	return v, err
}

// unregister removes our keys; a scheme whose command is not ours (another
// application took it over) is left alone.
func unregister(c Config) error {
	cmd := windowsCommand(c)
	var errs []error
	for _, s := range c.Schemes {
		got, err := readString(classesKey+`\`+s+`\shell\open\command`, "")
		switch {
		case errors.Is(err, errNotFoundTree):
			continue
		case err != nil:
			errs = append(errs, err)
		case got != cmd:
			continue // not ours
		default:
			errs = append(errs, deleteTree(classesKey+`\`+s))
		}
	}
	errs = append(errs,
		deleteTree(classesKey+`\`+progID(c)),
		deleteTree(softwareKey+`\`+c.AppID),
		deleteValue(registeredApps, c.Name))
	return errors.Join(errs...)
}

func deleteValue(path, name string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, path, registry.SET_VALUE)
	if errors.Is(err, errNotFoundTree) {
		return nil
	}
	if err != nil {
		return err
	}
	defer k.Close()
	if err := k.DeleteValue(name); err != nil && !errors.Is(err, errNotFoundTree) {
		return err
	}
	return nil
}

// deleteTree removes a key and its subkeys (RegDeleteKey only removes leaves).
func deleteTree(path string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, path, registry.ENUMERATE_SUB_KEYS)
	if errors.Is(err, errNotFoundTree) {
		return nil
	}
	if err != nil {
		return err
	}
	subs, err := k.ReadSubKeyNames(-1)
	k.Close()
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := deleteTree(path + `\` + s); err != nil {
			return err
		}
	}
	if err := registry.DeleteKey(registry.CURRENT_USER, path); err != nil && !errors.Is(err, errNotFoundTree) {
		return fmt.Errorf("urlhandler: delete HKCU\\%s: %w", path, err)
	}
	return nil
}

// isDefault: our command is registered for every scheme and no user choice
// points elsewhere.
func isDefault(c Config) (bool, error) {
	cmd := windowsCommand(c)
	for _, s := range c.Schemes {
		got, err := readString(classesKey+`\`+s+`\shell\open\command`, "")
		if errors.Is(err, errNotFoundTree) || (err == nil && got != cmd) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		choice, err := readString(userChoiceKey+`\`+s+`\UserChoice`, "ProgId")
		if err == nil && choice != progID(c) && choice != s {
			return false, nil
		}
	}
	return true, nil
}

func available(c Config) (bool, error) {
	cmd := windowsCommand(c)
	for _, s := range c.Schemes {
		got, err := readString(classesKey+`\`+s+`\shell\open\command`, "")
		switch {
		case errors.Is(err, errNotFoundTree):
		case err != nil:
			return false, err
		case got != cmd:
			return false, nil
		}
		choice, err := readString(userChoiceKey+`\`+s+`\UserChoice`, "ProgId")
		if err == nil && choice != progID(c) && choice != s {
			return false, nil
		}
	}
	return true, nil
}
