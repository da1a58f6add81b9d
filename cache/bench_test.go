package cache

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// processCPU is user+system CPU of the whole process (every thread: SQLite
// runs on the calling goroutine's thread, the GC on others).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPublish measures one whole publication (validate, build, verify,
// fsync, rename) of 100,000 users and 10,000 groups of 10 members each,
// with and without a shadow map, in wall time (ns/op) and process CPU
// (cpu-ms/op: the refresher's target is CPU). Numbers only; nothing
// asserts on time.
//
// The context can be cancelled, as the refresher's and `ldapidm import`'s
// are (signal.NotifyContext): go-sqlite3 runs every statement of a
// cancellable context on a goroutine of its own so it can interrupt it,
// which a context.Background() benchmark would leave out.
func BenchmarkPublish(b *testing.B) {
	for _, shadow := range []bool{false, true} {
		b.Run(fmt.Sprintf("users100k_groups10k_shadow=%v", shadow), func(b *testing.B) {
			snap := genSnapshot(100000, 10000, 10, shadow)
			dir := testDir(b)
			opts := testOpts(dir)
			opts.Force = true
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ResetTimer()
			cpu := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := Publish(ctx, snap, opts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
