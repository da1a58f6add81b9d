//go:build libsqlite3

package cache

/*
#cgo LDFLAGS: -lsqlite3
#include <sqlite3.h>

static int ldi_memstatus_off(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }
static long long ldi_memory_used(void) { return sqlite3_memory_used(); }
*/
import "C"

// sqliteConfigRC is what sqlite3_config returned at init: SQLITE_OK, or
// SQLITE_MISUSE had something in this process initialised SQLite first.
var sqliteConfigRC int

// Turn off SQLite's memory statistics in this process (the system
// libsqlite3 that go-sqlite3 links with -tags=libsqlite3, build.sh). With
// them on, every malloc and free inside SQLite takes one process-wide mutex
// and updates shared counters; Publish builds cache.db and shadow.db on two
// threads at once (job.go), and the two threads contending for it cost
// ~50 ms more CPU than building one file after the other (BenchmarkPublish,
// 100,000 users with shadow, medians of 8 interleaved runs: 535 -> 584
// cpu-ms/op). With the statistics off the concurrent build costs less CPU
// than the sequential one did with them on (562 -> 513 cpu-ms/op; wall
// 512 -> 363 ms). Nothing here uses what it disables
// (sqlite3_memory_used, sqlite3_status, the soft and hard heap limits).
//
// It must run before SQLite initialises, which the first sqlite3_open does;
// package init runs before any code that could open a database through
// this package. Should some other package have got there first, the call
// fails with SQLITE_MISUSE and only the saving is lost.
func init() {
	sqliteConfigRC = int(C.ldi_memstatus_off())
}

// sqliteMemoryUsed is sqlite3_memory_used(): 0 while statistics are off.
func sqliteMemoryUsed() int64 { return int64(C.ldi_memory_used()) }
