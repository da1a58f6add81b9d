package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Paths of the parts under test, set by TestMain.
var (
	soDir     string // holds libnss_ldapidm.so.2 (LD_LIBRARY_PATH)
	refresher string // the ldapidm-refresher binary
	repoRoot  string
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	_, file, _, _ := runtime.Caller(0)
	repoRoot = filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
	out := os.Getenv("LDAPIDM_OUT")
	fromEnv := out != ""
	if !fromEnv {
		out = filepath.Join(repoRoot, "out")
	}
	tmp, err := os.MkdirTemp("", "ldapidm-e2e-build-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	soDir = out
	if _, err := os.Stat(filepath.Join(out, "libnss_ldapidm.so.2")); err != nil {
		if err := build(repoRoot, "make", "-s", "-C", "c", "OUT="+tmp); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building the module:", err)
			return 1
		}
		soDir = tmp
	}
	// Without LDAPIDM_OUT the refresher is rebuilt every time (the Go build
	// cache makes that cheap), so a stale out/ binary is never tested.
	refresher = filepath.Join(out, "ldapidm-refresher")
	if _, err := os.Stat(refresher); err != nil || !fromEnv {
		refresher = filepath.Join(tmp, "ldapidm-refresher")
		if err := build(repoRoot, "go", "build", "-tags=libsqlite3", "-o", refresher, "./cmd/ldapidm-refresher"); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: building the refresher:", err)
			return 1
		}
	}
	return m.Run()
}

func build(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

// needGetent skips (or fails under LDAPIDM_REQUIRE_ALL=1) without getent.
func needGetent(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("getent"); err != nil {
		if os.Getenv("LDAPIDM_REQUIRE_ALL") == "1" {
			t.Fatal("getent not found (LDAPIDM_REQUIRE_ALL=1)")
		}
		t.Skip("getent not found")
	}
}
