package cache

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The file descriptions (job.go) are the one home of each file's counts.
// These tests hold the table to what the files contain, both ways: every
// count it lists is verified and read, and every count a builder writes
// is listed.

// describedFiles pairs each description with its file in a publication.
var describedFiles = []*cacheFile{&mainFile, &shadowFile}

// publishForFiles publishes a small snapshot with shadow and returns the
// directory and the published Meta.
func publishForFiles(t *testing.T) (string, *Meta) {
	t.Helper()
	dir := testDir(t)
	res := mustPublish(t, genSnapshot(40, 7, 3, true), testOpts(dir))
	return dir, &res.Meta
}

// execOn runs stmt read-write on a published file, as a fault might.
func execOn(t *testing.T, path, stmt string, args ...any) {
	t.Helper()
	db, err := sql.Open("sqlite3", uri(path, "mode=rw&_journal_mode=DELETE"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(stmt, args...); err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
}

// metaKeysOf is every meta key of a published file.
func metaKeysOf(t *testing.T, path string) map[string]string {
	t.Helper()
	rows, err := openTest(t, path).Query(`SELECT key, value FROM meta`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		m[k] = v
	}
	return m
}

// TestEveryMetaCountIsDescribed: a count a builder writes that the table
// does not list would be neither verified nor read; the file's other meta
// rows are its identity and provenance, not counts.
func TestEveryMetaCountIsDescribed(t *testing.T) {
	dir, meta := publishForFiles(t)
	notCounts := map[string]bool{"kind": true, "generation": true, "built_at": true, "source": true}
	for _, f := range describedFiles {
		t.Run(f.final, func(t *testing.T) {
			rows := metaKeysOf(t, filepath.Join(dir, f.final))
			want := f.want(meta)
			for k, v := range rows {
				if notCounts[k] {
					continue
				}
				n, ok := want[k]
				if !ok {
					t.Errorf("meta %s = %s is written but not described in job.go", k, v)
				} else if v != strconv.Itoa(n) {
					t.Errorf("meta %s = %s, want %d", k, v, n)
				}
			}
			for k := range want {
				if _, ok := rows[k]; !ok {
					t.Errorf("described count %s is not written", k)
				}
			}
		})
	}
}

// TestVerifyChecksEveryCount: each described count is checked against its
// meta row, and, where it has a recount, against the tables even when the
// meta row agrees with what was meant (a file whose meta was written from
// the wrong number). Files that break it are never published.
func TestVerifyChecksEveryCount(t *testing.T) {
	for _, f := range describedFiles {
		for _, c := range f.counts {
			t.Run(f.final+"/"+c.key+"/meta row off by one", func(t *testing.T) {
				dir, meta := publishForFiles(t)
				path := filepath.Join(dir, f.final)
				execOn(t, path, `UPDATE meta SET value = CAST(value + 1 AS TEXT) WHERE key = ?`, c.key)
				err := verifyFile(context.Background(), path, f.kind, f.want(meta))
				if err == nil || !strings.Contains(err.Error(), "meta "+c.key+" = ") {
					t.Fatalf("verifyFile = %v, want a complaint about meta %s", err, c.key)
				}
			})
			t.Run(f.final+"/"+c.key+"/meta row missing", func(t *testing.T) {
				dir, meta := publishForFiles(t)
				path := filepath.Join(dir, f.final)
				execOn(t, path, `DELETE FROM meta WHERE key = ?`, c.key)
				err := verifyFile(context.Background(), path, f.kind, f.want(meta))
				if err == nil || !strings.Contains(err.Error(), "meta "+c.key+` = ""`) {
					t.Fatalf("verifyFile = %v, want a complaint about meta %s", err, c.key)
				}
			})
			if len(c.recount) == 0 {
				continue
			}
			t.Run(f.final+"/"+c.key+"/tables disagree", func(t *testing.T) {
				dir, meta := publishForFiles(t)
				path := filepath.Join(dir, f.final)
				want := f.want(meta)
				want[c.key]++
				execOn(t, path, `UPDATE meta SET value = ? WHERE key = ?`, strconv.Itoa(want[c.key]), c.key)
				err := verifyFile(context.Background(), path, f.kind, want)
				if err == nil || !strings.Contains(err.Error(), c.key+": table holds") {
					t.Fatalf("verifyFile = %v, want the recount of %s to disagree", err, c.key)
				}
			})
		}
	}
}

// TestVerifyKnowsOnlyDescribedKinds: a kind without a description is an
// error, not a file with nothing to check.
func TestVerifyKnowsOnlyDescribedKinds(t *testing.T) {
	dir, meta := publishForFiles(t)
	for _, kind := range []string{"", "Main", "passwd"} {
		if err := verifyFile(context.Background(), filepath.Join(dir, MainFile), kind, mainFile.want(meta)); err == nil {
			t.Errorf("verifyFile with kind %q passed", kind)
		}
	}
	// And the right file under the wrong kind: its meta says otherwise.
	if err := verifyFile(context.Background(), filepath.Join(dir, MainFile), kindShadow, shadowFile.want(meta)); err == nil || !strings.Contains(err.Error(), "meta kind") {
		t.Errorf("cache.db verified as shadow: %v", err)
	}
}

// TestReadMetaReadsEveryCount: ReadMeta fills every count cache.db's
// description lists, and refuses a count row it cannot read (an optional
// one may be absent: a cache from before it existed).
func TestReadMetaReadsEveryCount(t *testing.T) {
	dir, meta := publishForFiles(t)
	got, err := ReadMeta(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range mainFile.counts {
		if *c.field(got) != *c.field(meta) || *c.field(meta) == 0 {
			t.Errorf("ReadMeta %s = %d, published %d (want both non-zero)", c.key, *c.field(got), *c.field(meta))
		}
	}
	for _, c := range mainFile.counts {
		for _, bad := range []struct{ name, stmt string }{
			{"not a number", `UPDATE meta SET value = '12x' WHERE key = ?`},
			{"empty", `UPDATE meta SET value = '' WHERE key = ?`},
			{"missing", `DELETE FROM meta WHERE key = ?`},
		} {
			t.Run(c.key+"/"+bad.name, func(t *testing.T) {
				dir, _ := publishForFiles(t)
				execOn(t, filepath.Join(dir, MainFile), bad.stmt, c.key)
				m, err := ReadMeta(dir)
				if bad.name == "missing" && c.optional {
					if err != nil || *c.field(m) != 0 {
						t.Fatalf("ReadMeta without optional %s = %+v, %v; want 0 and no error", c.key, m, err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), "meta "+c.key) {
					t.Fatalf("ReadMeta = %+v, %v; want an error naming meta %s", m, err, c.key)
				}
			})
		}
	}
}
