// Package ui is the agent desktop: login with two factors, enrolment, idle
// lock, the dialer, call panels, call history, settings and the right-hand
// sidebar that the CRM card and the recording strip plug into.
//
// The package observes the phone through the small consumer interfaces in
// phone.go (Snapshot + Watch) and calls its methods; it never imports sip or
// audio, and it never imports fyne.io/fyne/v2/app, so its widget tests run
// headless with fyne.io/fyne/v2/test. Widgets change only on the Fyne thread:
// events from the phone arrive on its goroutine and are applied with fyne.Do.
//
// Every view is a struct that keeps its widgets as fields, so tests can tap
// buttons and read labels directly.
package ui
