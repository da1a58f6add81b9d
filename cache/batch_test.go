package cache

import (
	"fmt"
	"path/filepath"
	"testing"
)

// Row counts around the insert batch size: every row must land once, in
// the order given (rowid order is enumeration order), whether it went in
// through a full batch or the final partial one.
func TestPublishBatchBoundaries(t *testing.T) {
	for _, n := range []int{1, batchRows - 1, batchRows, batchRows + 1, 2*batchRows + 3} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := testDir(t)
			snap := genSnapshot(n, n, 2, true)
			mustPublish(t, snap, testOpts(dir))
			db := openTest(t, filepath.Join(dir, MainFile))
			for _, q := range []struct {
				sql  string
				want func(i int) string
			}{
				{`SELECT name FROM passwd ORDER BY id`, func(i int) string { return snap.Users[i].Name }},
				{`SELECT name FROM grp ORDER BY id`, func(i int) string { return snap.Groups[i].Name }},
			} {
				rows, err := db.Query(q.sql)
				if err != nil {
					t.Fatal(err)
				}
				i := 0
				for rows.Next() {
					var name string
					if err := rows.Scan(&name); err != nil {
						t.Fatal(err)
					}
					if i >= n || name != q.want(i) {
						t.Fatalf("%s: row %d = %q", q.sql, i, name)
					}
					i++
				}
				rows.Close()
				if i != n {
					t.Fatalf("%s: %d rows, want %d", q.sql, i, n)
				}
			}
			sdb := openTest(t, filepath.Join(dir, ShadowFile))
			var ns int
			if err := sdb.QueryRow(`SELECT count(*) FROM shadow`).Scan(&ns); err != nil || ns != n {
				t.Fatalf("shadow rows %d (%v), want %d", ns, err, n)
			}
		})
	}
}
