package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// addWorkdayRows adds the supervisor note and, for a phone with agent
// states, the agent state bar under the status bar.
func (m *MainView) addWorkdayRows(top *fyne.Container) {
	d := m.d
	m.Supervisor = newSupervisorNote()
	top.Add(m.Supervisor)
	if ap, ok := d.phone.(AgentStatePhone); ok {
		m.AgentState = newAgentStateBar(d, ap)
		if d.state.agent != nil {
			m.AgentState.apply(*d.state.agent)
		}
		top.Add(m.AgentState.Root)
		top.Add(widget.NewSeparator())
	}
}

// dialerColumn is the dialer, with the missed calls under it when the
// phone keeps them.
func (m *MainView) dialerColumn() fyne.CanvasObject {
	d := m.d
	m.Colleagues = newColleaguesView(d)
	for _, c := range d.state.colleagues {
		m.Colleagues.apply(c)
	}
	below := container.NewVBox(m.Colleagues.Root)
	if mp, ok := d.phone.(MissedCallsPhone); ok {
		m.Missed = newMissedView(d, mp)
		m.Missed.show(d.state.missed)
		below.Add(m.Missed.Root)
	}
	if nc, ok := d.phone.(NetworkChecker); ok {
		m.Netcheck = newNetcheckView(d, nc)
		below.Add(m.Netcheck.Root)
	}
	return container.NewBorder(nil, below, nil, nil, m.Dialer.Root)
}
