package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ldapidm/ldapidm/cache"
)

// TestKilledImport kills an import with SIGKILL part-way through, at
// several points. Whenever the kill lands, the live cache must be whole
// (the old generation or the new one, never a mix or a torn file), and the
// next import must succeed and leave no temp file behind. The delays only
// vary where the kill lands; no outcome depends on them.
func TestKilledImport(t *testing.T) {
	dir, files := workdir(t)
	if r := importFiles(t, dir, files); r.code != 0 {
		t.Fatal(r.stderr)
	}
	var p, g strings.Builder
	for i := 0; i < 30000; i++ {
		fmt.Fprintf(&p, "k%06d:x:%d:10001:Killed %d:/home/k%06d:/bin/sh\n", i, 40000+i, i, i)
	}
	for j := 0; j < 3000; j++ {
		fmt.Fprintf(&g, "kg%05d:x:%d:k%06d,k%06d\n", j, 90000+j, j, j+1)
	}
	bigP, bigG := write(t, files, "bigp", p.String()), write(t, files, "bigg", g.String())
	// Each point is "kill once this file pattern appears (or the process
	// ends)", then after an extra delay; a pattern of "" kills at once.
	points := []struct {
		pattern string
		delay   time.Duration
	}{
		{"", 0}, {".cache.db.tmp-*", 0}, {".cache.db.tmp-*-journal", 0},
		{".cache.db.tmp-*", 30 * time.Millisecond}, {".cache.db.tmp-*", 100 * time.Millisecond},
	}
	for _, pt := range points {
		delay := pt.delay
		before, err := cache.ReadMeta(dir)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "import", "--cachedir", dir, "--force", "--passwd", bigP, "--group", bigG)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		waitFor(dir, pt.pattern, exited)
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		after, err := cache.ReadMeta(dir)
		if err != nil {
			t.Fatalf("after kill at %v: live cache unreadable: %v", delay, err)
		}
		switch after.Generation {
		case before.Generation:
			if after.Users != before.Users {
				t.Fatalf("kill at %v: same generation, different content", delay)
			}
		case before.Generation + 1:
			if after.Users != 30000 {
				t.Fatalf("kill at %v: new generation with %d users", delay, after.Users)
			}
		default:
			t.Fatalf("kill at %v: generation %d after %d", delay, after.Generation, before.Generation)
		}
		if r := ldapidm(t, "lookup", "--cachedir", dir, "group"); r.code != 0 {
			t.Fatalf("kill at %v: lookup after kill: %+v", delay, r)
		}
		left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
		t.Logf("kill at %s+%v: generation %d → %d, %d temp files left", pt.pattern, delay, before.Generation, after.Generation, len(left))
		// The next publisher removes whatever the killed one left.
		if r := ldapidm(t, "import", "--cachedir", dir, "--force", "--passwd", bigP, "--group", bigG); r.code != 0 {
			t.Fatalf("import after kill: %s", r.stderr)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") || strings.HasSuffix(e.Name(), "-journal") {
				t.Fatalf("kill at %v: leftover %s after the next import", delay, filepath.Join(dir, e.Name()))
			}
		}
	}
}

// waitFor returns once a file matching pattern exists in dir, or the
// process has exited.
func waitFor(dir, pattern string, exited <-chan struct{}) {
	for pattern != "" {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
			return
		}
		select {
		case <-exited:
			return
		case <-time.After(200 * time.Microsecond):
		}
	}
}
