package cache

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// tempOf returns the temp file (not its journal) a publication is building
// for final in dir, or "" when there is none.
func tempOf(t *testing.T, dir, final string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, tmpPrefix(final)+"*"))
	if err != nil {
		t.Error(err)
	}
	for _, p := range m {
		if !strings.HasSuffix(p, "-journal") {
			return p
		}
	}
	return ""
}

// tamper deletes one row from a built (committed, not yet verified) temp
// file, as a disk or SQLite fault might, so that verifyFile must fail.
func tamper(t *testing.T, path, table string) {
	db, err := sql.Open("sqlite3", uri(path, "mode=rw"))
	if err != nil {
		t.Error(err)
		return
	}
	defer db.Close()
	if _, err := db.Exec(`DELETE FROM ` + table + ` WHERE name = 'u000003'`); err != nil {
		t.Errorf("tamper %s: %v", path, err)
	}
}

// TestPublishOneSideFails: the two files are built at once; when one side
// fails (its file fails verification, or an injected error) while the
// other is still mid-transaction, the other is cancelled and awaited, both
// temp files are removed, the live files are untouched, and the error is
// the real failure, not the other side's cancellation.
func TestPublishOneSideFails(t *testing.T) {
	errInjected := errors.New("injected failure")
	cases := []struct {
		name      string
		failStage string // the failing side's stage
		failFinal string // the failing side's file
		fail      func(t *testing.T, dir string) error
		holdStage string // where the other side waits, mid-transaction
		holdFinal string
		wantErr   func(error) bool
	}{
		{
			name: "shadow fails verification, main mid-build", failStage: stageShadowFilled, failFinal: ShadowFile,
			fail: func(t *testing.T, dir string) error {
				tamper(t, tempOf(t, dir, ShadowFile), "shadow")
				return nil
			},
			holdStage: stageUsersInserted, holdFinal: MainFile,
			wantErr: func(err error) bool { return strings.Contains(err.Error(), "shadow: table holds 30, want 31") },
		},
		{
			name: "main fails verification, shadow mid-build", failStage: stageMainFilled, failFinal: MainFile,
			fail: func(t *testing.T, dir string) error {
				tamper(t, tempOf(t, dir, MainFile), "passwd")
				return nil
			},
			holdStage: stageShadowInserted, holdFinal: ShadowFile,
			wantErr: func(err error) bool { return strings.Contains(err.Error(), "users: table holds 30, want 31") },
		},
		{
			name: "shadow side error, main mid-build", failStage: stageShadowBuilt, failFinal: ShadowFile,
			fail:      func(*testing.T, string) error { return errInjected },
			holdStage: stageUsersInserted, holdFinal: MainFile,
			wantErr: func(err error) bool { return errors.Is(err, errInjected) },
		},
		{
			name: "main side error, shadow mid-build", failStage: stageMainBuilt, failFinal: MainFile,
			fail:      func(*testing.T, string) error { return errInjected },
			holdStage: stageShadowInserted, holdFinal: ShadowFile,
			wantErr: func(err error) bool { return errors.Is(err, errInjected) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testDir(t)
			mustPublish(t, genSnapshot(30, 5, 3, true), testOpts(dir))
			before := fingerprint(t, dir)
			var mu sync.Mutex
			var failed bool
			var held, failedTmp string
			holding := make(chan struct{})
			withHook(t, func(ctx context.Context, stage, _ string) error {
				switch stage {
				case tc.failStage:
					// Fail only once the other side is mid-transaction.
					select {
					case <-holding:
					case <-time.After(10 * time.Second):
						t.Error("the other side never reached " + tc.holdStage)
					}
					mu.Lock()
					failed, failedTmp = true, tempOf(t, dir, tc.failFinal)
					mu.Unlock()
					return tc.fail(t, dir)
				case tc.holdStage:
					mu.Lock()
					held = tempOf(t, dir, tc.holdFinal)
					mu.Unlock()
					close(holding)
					// Stay mid-transaction until the other side's
					// failure cancels this one.
					select {
					case <-ctx.Done():
					case <-time.After(10 * time.Second):
						t.Error("the failing side never cancelled this one")
					}
				}
				return nil
			})
			_, err := Publish(context.Background(), genSnapshot(31, 5, 3, true), testOpts(dir))
			if err == nil {
				t.Fatal("Publish succeeded with one side failing")
			}
			if !tc.wantErr(err) || errors.Is(err, context.Canceled) {
				t.Errorf("Publish = %v; want the failure itself, without the other side's cancellation", err)
			}
			if !failed || held == "" || failedTmp == "" {
				t.Fatalf("failing side reached %v (temp %q); other side held with temp %q", failed, failedTmp, held)
			}
			for _, p := range []string{held, failedTmp} {
				if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("temp file %s left behind: %v", p, err)
				}
			}
			assertNoTemps(t, dir)
			sameFingerprint(t, before, fingerprint(t, dir))
			if m, err := ReadMeta(dir); err != nil || m.Generation != 1 || m.Users != 30 {
				t.Fatalf("live meta = %+v, %v", m, err)
			}
		})
	}
}

// TestPublishBothSidesFail: when both files fail on their own, both errors
// are reported.
func TestPublishBothSidesFail(t *testing.T) {
	dir := testDir(t)
	mustPublish(t, genSnapshot(30, 5, 3, true), testOpts(dir))
	before := fingerprint(t, dir)
	errMain, errShadow := errors.New("main failure"), errors.New("shadow failure")
	// Each side waits at its last stage for the other, so that neither is
	// cancelled before it fails.
	var arrived sync.WaitGroup
	arrived.Add(2)
	withHook(t, func(_ context.Context, stage, _ string) error {
		var err error
		switch stage {
		case stageMainBuilt:
			err = errMain
		case stageShadowBuilt:
			err = errShadow
		default:
			return nil
		}
		arrived.Done()
		arrived.Wait()
		return err
	})
	_, err := Publish(context.Background(), genSnapshot(31, 5, 3, true), testOpts(dir))
	if !errors.Is(err, errMain) || !errors.Is(err, errShadow) {
		t.Errorf("Publish = %v, want both failures", err)
	}
	assertNoTemps(t, dir)
	sameFingerprint(t, before, fingerprint(t, dir))
}
