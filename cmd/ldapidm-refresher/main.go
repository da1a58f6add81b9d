// Command ldapidm-refresher pulls users and groups from LDAP into the
// ldapidm cache. Everything but the wiring of os.Args, signals and the exit
// code lives in refresher/daemon; see ldapidm-refresher(8).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/ldapidm/ldapidm/refresher/daemon"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	// A second SIGINT/SIGTERM during shutdown kills the process: once the
	// first has cancelled ctx, stop restores the default disposition.
	go func() { <-ctx.Done(); stop() }()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)

	m := daemon.NewMain()
	m.Hangup = hup
	err := m.ParseFlags(ctx, os.Args[1:])
	if err == nil {
		// Packages that log through the default logger (the cache
		// writer) share the daemon's handler, level and stream.
		if m.Logger != nil {
			slog.SetDefault(m.Logger)
		}
		err = m.Run(ctx)
	}
	if cerr := m.Close(); err == nil && cerr != nil {
		err = cerr
	}
	code := daemon.ExitCode(err)
	if ue, ok := err.(*daemon.UsageError); ok && !ue.Printed {
		fmt.Fprintf(os.Stderr, "ldapidm-refresher: %v\n", err)
	}
	os.Exit(code)
}
