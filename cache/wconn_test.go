package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// newWTable opens a fresh file with one table t (a UNIQUE text, an
// integer, a nullable blob) and returns an inserter for it.
func newWTable(t *testing.T, ctx context.Context) (*wconn, *table) {
	t.Helper()
	path, err := createTemp(t.TempDir(), MainFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := openBuild(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.exec(`PRAGMA synchronous=OFF; CREATE TABLE t (name TEXT NOT NULL UNIQUE, n INTEGER NOT NULL, b BLOB)`); err != nil {
		t.Fatal(err)
	}
	tb, err := newTable(ctx, c, "t", "name, n, b", 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tb.close()
		if err := c.close(); err != nil {
			t.Error(err)
		}
	})
	return c, tb
}

// Every value kind round-trips exactly, including bytes SQLite or C could
// mistake for an end (NUL inside a blob, a zero-length text and blob),
// and rows land in the order given across batch boundaries.
func TestWconnRoundTrip(t *testing.T) {
	_, tb := newWTable(t, context.Background())
	type row struct {
		name string
		n    int64
		b    []byte // nil: NULL
	}
	var want []row
	for i := range 2*batchRows + 7 {
		r := row{name: "u" + strings.Repeat("x", i%5) + string(rune('a'+i%26)) + strconv.Itoa(i), n: int64(i) - 1<<40}
		switch i % 3 {
		case 0:
			r.b = []byte{0, 1, 0, 255}
		case 1:
			r.b = []byte{}
		}
		want = append(want, r)
		tb.rows.text(r.name)
		tb.rows.int(r.n)
		if r.b == nil {
			tb.rows.null()
		} else {
			tb.rows.blob(r.b)
		}
		if err := tb.end(); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.flush(); err != nil {
		t.Fatal(err)
	}
	db := openTest(t, tb.st.c.path)
	rows, err := db.Query(`SELECT name, n, b, typeof(b) FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var name, typ string
		var n int64
		var b []byte
		if err := rows.Scan(&name, &n, &b, &typ); err != nil {
			t.Fatal(err)
		}
		w := want[i]
		wantTyp := "blob"
		if w.b == nil {
			wantTyp = "null"
		}
		if name != w.name || n != w.n || string(b) != string(w.b) || typ != wantTyp {
			t.Fatalf("row %d = %q %d %v %s, want %q %d %v %s", i, name, n, b, typ, w.name, w.n, w.b, wantTyp)
		}
		i++
	}
	if i != len(want) {
		t.Fatalf("%d rows, want %d", i, len(want))
	}
}

// A row SQLite refuses fails the flush with an error naming that row and
// SQLite's reason; the rows before it in the batch are in, and nothing
// after it.
func TestWconnRowErrorNamesTheRow(t *testing.T) {
	_, tb := newWTable(t, context.Background())
	for _, name := range []string{"alice", "bob", "alice", "carol"} {
		tb.rows.text(name)
		tb.rows.int(1)
		tb.rows.null()
		tb.rows.end()
	}
	err := tb.flush()
	var re *RowError
	if !errors.As(err, &re) || re.Row != "alice" {
		t.Fatalf("err = %v, want a RowError for the second alice", err)
	}
	var se *SQLiteError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "UNIQUE") {
		t.Fatalf("err = %v, want SQLite's UNIQUE message", err)
	}
	db := openTest(t, tb.st.c.path)
	var n int
	// No BEGIN here: autocommit made alice and bob visible, and carol,
	// after the refused row, never went in.
	if err := db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d rows in (%v), want 2: the rows before the refused one", n, err)
	}
}

// Hostile use of the row buffer is refused before anything reaches SQLite:
// a row left open, or a NOT NULL column given NULL, fail with an error
// instead of binding garbage.
func TestWconnRefusesBadRows(t *testing.T) {
	_, tb := newWTable(t, context.Background())
	tb.rows.text("half")
	tb.rows.int(1)
	tb.rows.rows = 1 // a row counted but not closed: one value short
	if err := tb.flush(); err == nil || !strings.Contains(err.Error(), "values") {
		t.Fatalf("flush of an open row = %v, want a refusal", err)
	}
	tb.rows.reset()
	tb.rows.text("x")
	tb.rows.null()
	tb.rows.null()
	tb.rows.end()
	if err := tb.flush(); err == nil || !strings.Contains(err.Error(), "NOT NULL") {
		t.Fatalf("NULL into NOT NULL = %v, want SQLite's refusal", err)
	}
}

// A cancelled context stops the next flush, so a publication being shut
// down stops within one batch.
func TestWconnCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	_, tb := newWTable(t, ctx)
	tb.rows.text("a")
	tb.rows.int(1)
	tb.rows.null()
	tb.rows.end()
	cancel()
	if err := tb.flush(); !errors.Is(err, context.Canceled) {
		t.Fatalf("flush after cancel = %v, want context.Canceled", err)
	}
}

// openBuild refuses what is not the temp file it was given: a missing file
// (SQLITE_OPEN_CREATE is not set: only createTemp creates) and a symlink.
func TestOpenBuildRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := openBuild(filepath.Join(dir, "missing")); err == nil {
		t.Error("openBuild of a missing file succeeded")
	}
	target, err := createTemp(dir, MainFile)
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if c, err := openBuild(link); err == nil {
		c.close()
		t.Error("openBuild through a symlink succeeded")
	}
}
