package daemon

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ldapidm/ldapidm/cache"
	"github.com/ldapidm/ldapidm/refresher/config"
	"github.com/ldapidm/ldapidm/refresher/status"
)

// StatusCmd is `ldapidm-refresher status [-f FILE | --cachedir DIR] [--json]`.
type StatusCmd struct {
	ConfigPath string
	configSet  bool
	CacheDir   string
	JSON       bool
	Now        func() time.Time // nil: time.Now
}

// UnhealthyError is a status check that found the last attempt failed or no
// cache; its Health is the exit code.
type UnhealthyError struct {
	Health status.Health
	Err    error // why, for Unknown
}

func (e *UnhealthyError) Error() string {
	if e.Err != nil {
		return "status: " + e.Health.String() + ": " + e.Err.Error()
	}
	return "status: " + e.Health.String()
}

func (e *UnhealthyError) Unwrap() error { return e.Err }

// ParseFlags reads the status command's flags.
func (c *StatusCmd) ParseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ldapidm-refresher status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.ConfigPath, "f", c.ConfigPath, "configuration `file` (to find the cache directory)")
	fs.StringVar(&c.CacheDir, "cachedir", "", "cache `directory` (instead of reading the configuration)")
	fs.BoolVar(&c.JSON, "json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{Msg: err.Error(), Printed: true}
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "f" {
			c.configSet = true
		}
	})
	if fs.NArg() > 0 {
		return &UsageError{Msg: fmt.Sprintf("status: unexpected argument %q", fs.Arg(0))}
	}
	if c.configSet && c.CacheDir != "" {
		return &UsageError{Msg: "status: -f and --cachedir are exclusive"}
	}
	return nil
}

// Run prints the report and returns an *UnhealthyError unless healthy.
func (c *StatusCmd) Run(stdout io.Writer) error {
	dir, err := c.cacheDir()
	if err != nil {
		fmt.Fprintln(stdout, "health:           unknown:", err)
		return &UnhealthyError{Health: status.Unknown, Err: err}
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	st, stErr := status.Read(status.Path(dir))
	var info *status.CacheInfo
	m, cErr := cache.ReadMeta(dir)
	if cErr == nil {
		ci := status.CacheFromMeta(m)
		info = &ci
	}
	r := status.NewReport(st, stErr, info, cErr, now())
	if c.JSON {
		err = r.WriteJSON(stdout)
	} else {
		fmt.Fprintf(stdout, "cache directory:  %s\n", dir)
		err = r.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if h := status.Check(st, info); h != status.Healthy {
		return &UnhealthyError{Health: h}
	}
	return nil
}

// cacheDir is --cachedir, else the configuration's. Monitoring often runs
// as a user who may not read a configuration holding a bind password: when
// -f was not given and the default file cannot be loaded, the default cache
// directory is used.
func (c *StatusCmd) cacheDir() (string, error) {
	if c.CacheDir != "" {
		return c.CacheDir, nil
	}
	cfg, err := config.Load(c.ConfigPath)
	if err == nil {
		return cfg.CacheDir, nil
	}
	if c.configSet {
		return "", err
	}
	return config.DefaultCacheDir, nil
}
