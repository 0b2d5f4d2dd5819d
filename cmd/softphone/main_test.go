package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTwoWordCommands: a subcommand in its own file ("recordings sync")
// takes precedence over its one-word parent and gets the rest of the line.
func TestTwoWordCommands(t *testing.T) {
	var got []string
	register(command{name: "testparent child", summary: "test", run: func(_ context.Context, _ *cli, args []string) int {
		got = args
		return exitOK
	}})
	register(command{name: "testparent", summary: "test", run: func(_ context.Context, _ *cli, args []string) int {
		got = append([]string{"parent"}, args...)
		return exitOK
	}})
	t.Cleanup(func() { delete(commands, "testparent child"); delete(commands, "testparent") })

	c, rest, ok := lookupCommand([]string{"testparent", "child", "--x", "1"})
	require.True(t, ok)
	require.Equal(t, exitOK, c.run(context.Background(), nil, rest))
	require.Equal(t, []string{"--x", "1"}, got)

	c, rest, ok = lookupCommand([]string{"testparent", "other"})
	require.True(t, ok)
	c.run(context.Background(), nil, rest)
	require.Equal(t, []string{"parent", "other"}, got)

	_, _, ok = lookupCommand([]string{"nosuch"})
	require.False(t, ok)
}
