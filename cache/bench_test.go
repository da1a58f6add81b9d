package cache

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkPublish measures one whole publication (validate, build, verify,
// fsync, rename) of 100,000 users and 10,000 groups of 10 members each,
// with and without a shadow map. Numbers only; nothing asserts on time.
func BenchmarkPublish(b *testing.B) {
	for _, shadow := range []bool{false, true} {
		b.Run(fmt.Sprintf("users100k_groups10k_shadow=%v", shadow), func(b *testing.B) {
			snap := genSnapshot(100000, 10000, 10, shadow)
			dir := testDir(b)
			opts := testOpts(dir)
			opts.Force = true
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Publish(context.Background(), snap, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
