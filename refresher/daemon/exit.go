package daemon

import (
	"errors"
	"flag"
)

// Exit codes, documented in ldapidm-refresher(8).
// The status command's codes follow the Nagios plugin convention (see
// status.Health), so monitoring can run it as a check as is.
const (
	ExitOK      = 0
	ExitFailure = 1  // refresh failed, configuration invalid, lock held
	ExitUsage   = 64 // bad command line (sysexits EX_USAGE)
)

// ExitCode maps Run's (or ParseFlags') error to the process exit code.
func ExitCode(err error) int {
	var ue *UnhealthyError
	var use *UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.As(err, &ue):
		return int(ue.Health)
	case errors.As(err, &use):
		return ExitUsage
	default:
		return ExitFailure
	}
}
