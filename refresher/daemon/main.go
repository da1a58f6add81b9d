package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/nscd"
	"github.com/ldapidm/ldapidm/refresher/status"
)

// Version is the program version, set at link time
// (-ldflags "-X github.com/ldapidm/ldapidm/refresher/daemon.Version=…").
var Version = "devel"

// DefaultConfigFile is where the configuration lives unless -f says otherwise.
const DefaultConfigFile = "/etc/ldapidm/ldapidm.conf"

// Main is one ldapidm-refresher invocation.
type Main struct {
	ConfigPath string
	CheckOnly  bool // -n
	Once       bool // --once
	Force      bool // --force: first publish bypasses the shrink guard
	LogLevel   slog.Level
	Version    bool
	Status     *StatusCmd // non-nil for `ldapidm-refresher status`

	// Hangup delivers reload requests (SIGHUP in the real program). nil
	// means none arrive.
	Hangup <-chan os.Signal
	// Nscd says where nscd lives (zero: Debian's paths).
	Nscd nscd.Invalidator

	Stdout, Stderr io.Writer
	Logger         *slog.Logger

	lock *Lock
}

// NewMain returns a Main writing to the process's stdout and stderr.
func NewMain() *Main {
	return &Main{ConfigPath: DefaultConfigFile, Stdout: os.Stdout, Stderr: os.Stderr}
}

// UsageError is a bad command line; the exit code is ExitUsage. Printed
// says the flag package has already shown it with the usage text.
type UsageError struct {
	Msg     string
	Printed bool
}

func (e *UsageError) Error() string { return e.Msg }

// ParseFlags reads the command line (without the program name).
func (m *Main) ParseFlags(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "status" {
		m.Status = &StatusCmd{ConfigPath: m.ConfigPath}
		return m.Status.ParseFlags(args[1:], m.Stderr)
	}
	fs := flag.NewFlagSet("ldapidm-refresher", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.StringVar(&m.ConfigPath, "f", m.ConfigPath, "configuration `file`")
	fs.BoolVar(&m.CheckOnly, "n", false, "check the configuration and exit")
	fs.BoolVar(&m.Once, "once", false, "refresh once and exit (non-zero exit on failure)")
	fs.BoolVar(&m.Force, "force", false, "publish even if the pull is empty or shrank past maxshrink (first refresh only)")
	debug := fs.Bool("d", false, "debug logging (same as --log-level debug)")
	level := fs.String("log-level", "info", "log `level`: debug, info, warn, error")
	fs.BoolVar(&m.Version, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(m.Stderr, "usage: ldapidm-refresher [-d] [-n] [-f file] [--once] [--force] [--log-level level]\n"+
			"       ldapidm-refresher status [-f file | --cachedir dir] [--json]\n"+
			"       ldapidm-refresher --version\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Msg: err.Error(), Printed: true}
	}
	if fs.NArg() > 0 {
		return &UsageError{Msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := m.LogLevel.UnmarshalText([]byte(strings.ToUpper(*level))); err != nil {
		return &UsageError{Msg: fmt.Sprintf("--log-level: %v", err)}
	}
	if *debug {
		m.LogLevel = slog.LevelDebug
	}
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: m.LogLevel}))
	}
	return nil
}

// Run does what the flags ask. The daemon returns nil when ctx is
// cancelled; --once returns the refresh's error; -n a *config.Error.
func (m *Main) Run(ctx context.Context) error {
	switch {
	case m.Version:
		fmt.Fprintf(m.Stdout, "ldapidm-refresher %s\n", Version)
		return nil
	case m.Status != nil:
		return m.Status.Run(m.Stdout)
	case m.CheckOnly:
		return m.check()
	}
	cfg, err := m.load()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		m.Logger.Error("cache directory unusable", "dir", cfg.CacheDir, "err", err)
		return err
	}
	if m.lock, err = AcquireLock(cfg.CacheDir); err != nil {
		m.Logger.Error("cannot lock the cache directory", "err", err)
		return err
	}
	m.removeStaleStatusTemps(cfg.CacheDir)
	if m.Once {
		return m.once(ctx, cfg)
	}
	return m.loop(ctx, cfg)
}

// removeStaleStatusTemps clears what a refresher killed while writing
// status.json left behind (cache.Publish does the same for its own temp
// files, under its own lock). Only the holder of refresher.lock writes
// the status, so none of these files can be in use. A failure is logged,
// not fatal: a leftover costs disk space, not correctness.
func (m *Main) removeStaleStatusTemps(cacheDir string) {
	removed, err := status.RemoveStaleTemps(cacheDir)
	if len(removed) > 0 {
		m.Logger.Info("stale status temp files removed", "dir", cacheDir, "files", removed)
	}
	if err != nil {
		m.Logger.Warn("stale status temp files not removed", "dir", cacheDir, "err", err)
	}
}

// Close releases the lock. Safe to call more than once.
func (m *Main) Close() error {
	err := m.lock.Release()
	m.lock = nil
	return err
}

// check is -n: the file's first error, or "configuration OK", plus notices.
func (m *Main) check() error {
	cfg, err := config.Load(m.ConfigPath)
	if err != nil {
		fmt.Fprintln(m.Stderr, err)
		return err
	}
	for _, n := range cfg.Notices {
		fmt.Fprintf(m.Stderr, "notice: %s\n", n)
	}
	fmt.Fprintln(m.Stdout, "configuration OK")
	return nil
}

// load reads the configuration and logs its notices.
func (m *Main) load() (*config.Config, error) {
	cfg, err := config.Load(m.ConfigPath)
	if err != nil {
		m.Logger.Error("configuration refused", "err", err)
		return nil, err
	}
	for _, n := range cfg.Notices {
		m.Logger.Warn("configuration notice", "file", cfg.File, "notice", n)
	}
	return cfg, nil
}
