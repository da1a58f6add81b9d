// Package daemon is ldapidm-refresher's process: flags, logging, the
// process-lifetime lock, the refresh loop and signals, and the `status`
// command. cmd/ldapidm-refresher only wires it to os.Args, the real signals
// and the exit code; end-to-end tests drive Main directly or through that
// binary.
//
// Contract:
//   - One refresher per cache directory: every mode that may publish
//     (daemon and --once) holds a non-blocking flock on
//     <cachedir>/refresher.lock for its whole life, or exits with a
//     *LockedError naming the holder's pid. Having the lock, it removes the
//     status temp files a killed refresher left (status.RemoveStaleTemps);
//     one that cannot take the lock touches nothing.
//   - The daemon refreshes at start, then every interval plus a random
//     jitter; after a failure it retries with exponential backoff (30 s,
//     doubling, capped at the interval). A hangup reloads the configuration
//     (an invalid one is logged with its file:line and the old one kept)
//     and refreshes at once. Cancelling Run's context stops it cleanly: an
//     in-flight pull is cancelled, the writer removes its temporary files,
//     and Run returns nil.
//   - Logs are slog text on stderr (journald adds the time and unit), with
//     constant messages and key/values; no credential is ever logged.
//   - The refresher never resolves users or groups through NSS (its own
//     module would recurse into it, kanidm#2632): local accounts are read
//     from the files named in the configuration.
package daemon
