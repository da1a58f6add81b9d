package main

// main.go wires the subcommands; each lives in its own file.

import (
	"io"
	"log/slog"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const (
	exitOK       = 0
	exitError    = 1
	exitNotFound = 2
)

// commands maps each subcommand to its implementation (one file each).
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"import": cmdImport,
	"lookup": cmdLookup,
	"info":   cmdInfo,
}

const usage = `usage:
  ldapidm import [--cachedir DIR] [--force] [--maxshrink PCT] [--source TEXT]
                 (--passwd FILE --group FILE [--shadow FILE] | --json FILE)
  ldapidm lookup [--cachedir DIR] passwd|group|shadow|initgroups [KEY]
  ldapidm info   [--cachedir DIR] [--json]
`

// run is main without the process: tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	// The library logs at Info on every publish; the CLI prints its own
	// summary, so only warnings and errors reach stderr.
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if len(args) == 0 {
		io.WriteString(stderr, usage)
		return exitError
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		io.WriteString(stdout, usage)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		io.WriteString(stderr, "ldapidm: unknown command "+args[0]+"\n"+usage)
		return exitError
	}
	return cmd(args[1:], stdout, stderr)
}
