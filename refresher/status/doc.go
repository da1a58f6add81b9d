// Package status is the refresher's report of its last attempt: a small JSON
// file, <cachedir>/status.json, that the daemon rewrites after every attempt
// and that `ldapidm-refresher status` (and monitoring) reads.
//
// Contract:
//   - The file is written whole to a temporary file in the same directory,
//     fsynced, chmod 0644 and renamed over the old one, so a reader sees the
//     previous report or the new one, never a torn one. A writer killed
//     before its rename leaves its .status-*.tmp file behind;
//     RemoveStaleTemps removes those, and the daemon calls it at start
//     while holding refresher.lock (the only writer of the status).
//   - It never holds a credential: LastError is scrubbed by the caller
//     (refresher.RefreshOnce redacts every configured bind credential) and
//     nothing else in it comes from configuration secrets.
//   - Rejections are grouped by reason with at most MaxExamples DNs each,
//     so a directory full of bad entries gives a bounded file.
//   - Check decides the `status` command's exit code: healthy only when the
//     cache exists and the last attempt succeeded.
package status
