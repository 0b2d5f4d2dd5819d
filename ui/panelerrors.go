package ui

import (
	"errors"

	"fyne.io/fyne/v2/lang"

	"softphone/crm"
	"softphone/recording"
)

// panelErrorText explains CRM and recording errors to the agent.
func panelErrorText(err error) string {
	switch {
	case errors.Is(err, crm.ErrNotPermitted):
		return lang.L("Your role may not reveal this field.")
	case errors.Is(err, crm.ErrReasonRequired), errors.Is(err, recording.ErrReasonRequired):
		return lang.L("A reason is required.")
	case errors.Is(err, crm.ErrNotRevealable):
		return lang.L("This field cannot be revealed.")
	case errors.Is(err, crm.ErrNoCard):
		return lang.L("No customer is selected.")
	case errors.Is(err, crm.ErrClosed):
		return lang.L("The call is over; the customer record is closed.")
	case errors.Is(err, crm.ErrUnauthorized):
		return lang.L("The CRM refused access: ask an administrator to renew the CRM token.")
	case errors.Is(err, crm.ErrUnavailable):
		return lang.L("CRM unavailable — the call goes on.")
	case errors.Is(err, recording.ErrPermission):
		return lang.L("Your role may not do this.")
	case errors.Is(err, recording.ErrNotRecorded):
		return lang.L("This call has no recording.")
	case errors.Is(err, recording.ErrOptedOut):
		return lang.L("The customer opted out of recording.")
	case errors.Is(err, recording.ErrClosed):
		return lang.L("The recording has ended.")
	}
	return errorText(err)
}

// refreshSidebar lays the sidebar out again after a panel changed its size
// or visibility (Fyne does not re-layout parents of a shown object).
func (d *Desktop) refreshSidebar() {
	if d.Main != nil && d.Main.Sidebar != nil {
		d.Main.Sidebar.Root.Refresh()
	}
}
