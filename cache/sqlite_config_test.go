//go:build libsqlite3

package cache

import "testing"

// TestSQLiteMemstatusOff: the init in sqlite_config.go took effect, so
// concurrent builds do not share SQLite's statistics mutex. With statistics
// on, a publication leaves sqlite3_memory_used() well above 0 (the open
// connection of ReadMeta's caller, SQLite's own allocations).
func TestSQLiteMemstatusOff(t *testing.T) {
	if sqliteConfigRC != 0 {
		t.Fatalf("sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) = %d at init, want SQLITE_OK", sqliteConfigRC)
	}
	dir := testDir(t)
	mustPublish(t, genSnapshot(50, 5, 3, true), testOpts(dir))
	db := openTest(t, dir+"/"+MainFile)
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM passwd`).Scan(&n); err != nil || n != 50 {
		t.Fatalf("count = %d, %v", n, err)
	}
	if used := sqliteMemoryUsed(); used != 0 {
		t.Fatalf("sqlite3_memory_used() = %d with a connection open; memory statistics are still on", used)
	}
}
