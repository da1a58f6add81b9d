package slapdtest

import (
	"os"
	"path/filepath"
	"strings"
)

// LogPath is the file slapd logs to.
func (s *Server) LogPath() string { return filepath.Join(s.Dir, "slapd.log") }

// LogTail returns the last n lines of the slapd log, for failure messages.
func (s *Server) LogTail(n int) string {
	data, err := os.ReadFile(s.LogPath())
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
