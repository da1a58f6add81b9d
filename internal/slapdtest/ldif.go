package slapdtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// AddLDIF adds the entries of an LDIF text through the running server
// (ldapadd as the rootdn). Use Load for large populations.
func (s *Server) AddLDIF(ctx context.Context, ldif string) error {
	return s.client(ctx, "ldapadd", ldif)
}

// Modify applies an LDIF of changetype records (ldapmodify as the rootdn).
func (s *Server) Modify(ctx context.Context, ldif string) error {
	return s.client(ctx, "ldapmodify", ldif)
}

// Delete removes the given entries (ldapdelete as the rootdn), leaves first.
func (s *Server) Delete(ctx context.Context, dns ...string) error {
	return s.client(ctx, "ldapdelete", strings.Join(dns, "\n")+"\n")
}

func (s *Server) client(ctx context.Context, tool, input string) error {
	cmd := exec.CommandContext(ctx, tool, "-x", "-H", s.URL, "-D", s.AdminDN, "-w", s.AdminPW)
	cmd.Stdin = strings.NewReader(input)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("slapdtest: %s: %w: %s", tool, err, tailString(out.String(), 2000))
	}
	return nil
}

// Load bulk-loads an LDIF offline: it stops slapd, runs slapadd -q (no
// per-entry checks beyond schema, the fast path for 100,000 entries) and
// starts slapd again on the same ports.
func (s *Server) Load(ctx context.Context, ldif string) error {
	s.mu.Lock()
	running := s.cmd != nil
	err := s.stopLocked(syscall.SIGTERM) // a clean shutdown flushes the mdb
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := s.slapadd(ctx, ldif); err != nil {
		return err
	}
	if running {
		return s.start(ctx)
	}
	return nil
}

func (s *Server) slapadd(ctx context.Context, ldif string) error {
	f := filepath.Join(s.Dir, "load.ldif")
	if err := os.WriteFile(f, []byte(ldif), 0o600); err != nil {
		return err
	}
	defer os.Remove(f)
	cmd := exec.CommandContext(ctx, slapaddBin, "-q", "-f", filepath.Join(s.Dir, "slapd.conf"), "-l", f)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("slapdtest: slapadd: %w: %s", err, tailString(string(out), 2000))
	}
	return nil
}

func tailString(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
