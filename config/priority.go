package config

import "slices"

// Device roles of Audio.Priority and Audio.Prefer.
const (
	RoleMicrophone = "microphone"
	RoleSpeaker    = "speaker"
	RoleRinger     = "ringer"
)

// fields returns the single choice and the list of a role, or nils for an unknown role.
func (a *Audio) fields(role string) (*string, *[]string) {
	switch role {
	case RoleMicrophone:
		return &a.Input, &a.Microphones
	case RoleSpeaker:
		return &a.Output, &a.Speakers
	case RoleRinger:
		return &a.Ring, &a.Ringers
	}
	return nil, nil
}

// Priority is a role's device priority list, most preferred first, without duplicates or empty
// names (the system default is always the last resort and never listed). A single choice from
// an older file (Input, Output, Ring) comes first.
func (a Audio) Priority(role string) []string {
	one, list := a.fields(role)
	if one == nil {
		return nil
	}
	var out []string
	for _, n := range append([]string{*one}, *list...) {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Prefer puts a device at the head of a role's list, keeping the others as fallbacks in their
// order; "" makes the system default preferred (the list is kept for when it goes away).
func (a *Audio) Prefer(role, name string) {
	one, list := a.fields(role)
	if one == nil {
		return
	}
	rest := a.Priority(role)
	if name != "" {
		rest = slices.DeleteFunc(rest, func(n string) bool { return n == name })
		rest = append([]string{name}, rest...)
	}
	*one, *list = name, rest
}

// Remove takes a device off a role's list.
func (a *Audio) Remove(role, name string) {
	one, list := a.fields(role)
	if one == nil {
		return
	}
	*list = slices.DeleteFunc(a.Priority(role), func(n string) bool { return n == name })
	if *one == name {
		*one = ""
		if len(*list) > 0 {
			*one = (*list)[0]
		}
	}
}
