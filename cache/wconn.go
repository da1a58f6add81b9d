package cache

/*
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Value tags of a row buffer (rowBuf in wconn.go).
enum { LDW_NULL = 0, LDW_INT = 1, LDW_TEXT = 2, LDW_BLOB = 3 };

// ldw_insert binds and steps st once per row of the nrows rows encoded in
// p[0..n), each of ncols values. It returns SQLITE_OK when every row went
// in; otherwise the failing result code, with *row the failing row and
// SQLite's message copied into msg (the statement is reset, which would
// otherwise leave the message to the next call).
//
// Text and blobs are bound SQLITE_STATIC: they point into the caller's
// buffer, which only lives for this call, so every binding is cleared
// before returning and no pointer into Go memory outlives the call (the
// cgo pointer rules).
static int ldw_insert(sqlite3_stmt *st, const unsigned char *p, size_t n, int ncols, int nrows,
		      int *row, char *msg, int msglen)
{
	const unsigned char *end = p + n;
	int rc = SQLITE_OK;

	msg[0] = 0;
	for (int r = 0; r < nrows; r++) {
		*row = r;
		for (int c = 1; c <= ncols; c++) {
			uint32_t l;
			int64_t v;

			if (p >= end)
				goto malformed;
			switch (*p++) {
			case LDW_NULL:
				rc = sqlite3_bind_null(st, c);
				break;
			case LDW_INT:
				if (end - p < 8)
					goto malformed;
				memcpy(&v, p, 8);
				p += 8;
				rc = sqlite3_bind_int64(st, c, v);
				break;
			case LDW_TEXT:
			case LDW_BLOB:
				if (end - p < 4)
					goto malformed;
				memcpy(&l, p, 4);
				p += 4;
				if ((size_t)(end - p) < l || l > INT32_MAX)
					goto malformed;
				rc = p[-5] == LDW_TEXT ? sqlite3_bind_text(st, c, (const char *)p, (int)l, SQLITE_STATIC)
						       : sqlite3_bind_blob(st, c, p, (int)l, SQLITE_STATIC);
				p += l;
				break;
			default:
				goto malformed;
			}
			if (rc != SQLITE_OK)
				goto failed;
		}
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			goto failed;
		sqlite3_reset(st);
	}
	rc = p == end ? SQLITE_OK : SQLITE_MISUSE;
	if (rc != SQLITE_OK)
		snprintf(msg, msglen, "%d bytes after the last row", (int)(end - p));
	sqlite3_clear_bindings(st);
	return rc;
malformed:
	snprintf(msg, msglen, "malformed row buffer");
	sqlite3_clear_bindings(st);
	return SQLITE_MISUSE;
failed:
	snprintf(msg, msglen, "%s", sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

// ldw_fetch copies the rows of st, a query of (integer, blob), into p[0..cap)
// as i64 id, u32 length, bytes (native byte order), until st is done or the
// next row does not fit. *pending says st is on a row not yet copied (it
// did not fit last time); it is set again when that happens. Returns
// SQLITE_ROW when rows remain, SQLITE_DONE when all are copied, SQLITE_TOOBIG
// with *need set when a row does not fit an empty buffer, or an error.
static int ldw_fetch(sqlite3_stmt *st, unsigned char *p, size_t cap, int *pending, size_t *used, int *rows, size_t *need)
{
	int rc = SQLITE_ROW;

	*used = 0;
	*rows = 0;
	for (;;) {
		if (!*pending) {
			rc = sqlite3_step(st);
			if (rc != SQLITE_ROW)
				return rc;
		}
		*pending = 0;
		const void *b = sqlite3_column_blob(st, 1);
		size_t n = (size_t)sqlite3_column_bytes(st, 1);
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		if (b == NULL && n > 0)
			return SQLITE_NOMEM;
		if (cap - *used < 12 + n) {
			*pending = 1;
			if (*used == 0) {
				*need = 12 + n;
				return SQLITE_TOOBIG;
			}
			return SQLITE_ROW;
		}
		uint32_t n32 = (uint32_t)n;
		memcpy(p + *used, &id, 8);
		memcpy(p + *used + 8, &n32, 4);
		if (n > 0)
			memcpy(p + *used + 12, b, n);
		*used += 12 + n;
		(*rows)++;
	}
}

static int ldw_open(const char *path, sqlite3 **db, int readonly)
{
	int flags = (readonly ? SQLITE_OPEN_READONLY | SQLITE_OPEN_URI : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	int rc = sqlite3_open_v2(path, db, flags, NULL);
	if (*db != NULL)
		sqlite3_extended_result_codes(*db, 1);
	return rc;
}

static int ldw_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
}
*/
import "C"

import (
	"context"
	"encoding/binary"
	"fmt"
	"unsafe"
)

// wconn is the connection a publication builds one temp file through:
// SQLite's C API directly, not database/sql. A publish of 100,000 users
// binds ~1.9 million values; through database/sql and go-sqlite3 each was
// an interface conversion, an allocation and a cgo call of its own, a third
// of the refresher's publish CPU (issue #3). Here the Go side encodes rows
// into one byte buffer (rowBuf) and one cgo call binds and steps a few
// hundred rows. The SQLite is the one go-sqlite3 links (the system
// libsqlite3 under build.sh's -tags=libsqlite3), so this file needs no
// link flags of its own and the process holds one SQLite.
//
// A wconn belongs to one goroutine: opened with SQLITE_OPEN_NOMUTEX, it is
// never shared, and the two files of a publication have one each (job.go).
type wconn struct {
	db   *C.sqlite3
	path string
}

// openBuild opens the (existing, empty) temp file at path for writing.
// NOFOLLOW: the temp file was created O_EXCL by createTemp; a symlink in
// its place now means someone else is in the directory.
func openBuild(path string) (*wconn, error) { return open(path, path, 0) }

// openRead opens a published or verified file read-only, as the module
// does (immutable: it is never written again).
func openRead(path string) (*wconn, error) { return open(path, uri(path, "mode=ro&immutable=1"), 1) }

// open opens name (a path, or a URI when readonly) for the file at path.
func open(path, name string, readonly C.int) (*wconn, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var db *C.sqlite3
	if rc := C.ldw_open(cname, &db, readonly); rc != C.SQLITE_OK {
		err := sqliteErr(rc, db)
		C.sqlite3_close(db)
		return nil, fmt.Errorf("cache: open %s: %w", path, err)
	}
	return &wconn{db: db, path: path}, nil
}

// scanBlobs runs query, which must return (integer, blob) rows, and calls
// fn with each, in order; b is valid during the call only. Rows cross into
// Go a buffer at a time, one cgo call per ~256 KiB instead of per row.
func (c *wconn) scanBlobs(ctx context.Context, query string, fn func(id int64, b []byte) error) error {
	s, err := c.prepare(query, 0)
	if err != nil {
		return err
	}
	defer s.close()
	buf := make([]byte, batchBytes)
	var pending C.int
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		var used C.size_t
		var rows C.int
		var need C.size_t
		rc := C.ldw_fetch(s.st, (*C.uchar)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &pending, &used, &rows, &need)
		if rc == C.SQLITE_TOOBIG {
			buf = make([]byte, int(need))
			continue
		}
		if rc != C.SQLITE_ROW && rc != C.SQLITE_DONE {
			return sqliteErr(rc, c.db)
		}
		for p := buf[:used]; len(p) > 0; {
			id := int64(binary.NativeEndian.Uint64(p))
			n := int(binary.NativeEndian.Uint32(p[8:]))
			if err := fn(id, p[12:12+n]); err != nil {
				return err
			}
			p = p[12+n:]
		}
		if rc == C.SQLITE_DONE {
			return nil
		}
	}
}

// close closes the connection; an uncommitted transaction is rolled back.
// Statements must be finalized first.
func (c *wconn) close() error {
	if rc := C.sqlite3_close(c.db); rc != C.SQLITE_OK {
		return fmt.Errorf("cache: close %s: %w", c.path, sqliteErr(rc, c.db))
	}
	return nil
}

// exec runs one or more statements that take no parameters.
func (c *wconn) exec(sql string) error {
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	var msg *C.char
	if rc := C.sqlite3_exec(c.db, csql, nil, nil, &msg); rc != C.SQLITE_OK {
		defer C.sqlite3_free(unsafe.Pointer(msg))
		return &SQLiteError{Code: int(rc), Msg: C.GoString(msg)}
	}
	return nil
}

// wstmt is one prepared INSERT with ncols parameters.
type wstmt struct {
	c     *wconn
	st    *C.sqlite3_stmt
	ncols int
}

func (c *wconn) prepare(sql string, ncols int) (*wstmt, error) {
	csql := C.CString(sql)
	defer C.free(unsafe.Pointer(csql))
	var st *C.sqlite3_stmt
	if rc := C.ldw_prepare(c.db, csql, &st); rc != C.SQLITE_OK {
		return nil, sqliteErr(rc, c.db)
	}
	if n := int(C.sqlite3_bind_parameter_count(st)); n != ncols {
		C.sqlite3_finalize(st)
		return nil, fmt.Errorf("cache: %q has %d parameters, want %d", sql, n, ncols)
	}
	return &wstmt{c: c, st: st, ncols: ncols}, nil
}

func (s *wstmt) close() { C.sqlite3_finalize(s.st) }

// insert steps s once per row of b, in order. On failure the error names
// the row by its first text value (the entry's name, in every table here).
func (s *wstmt) insert(b *rowBuf) error {
	if b.rows == 0 {
		return nil
	}
	if b.open != 0 {
		return fmt.Errorf("cache: row %d has %d of %d values", b.rows, b.open, s.ncols)
	}
	var row C.int
	var msg [256]C.char
	rc := C.ldw_insert(s.st, (*C.uchar)(unsafe.Pointer(&b.buf[0])), C.size_t(len(b.buf)), C.int(s.ncols), C.int(b.rows),
		&row, &msg[0], C.int(len(msg)))
	if rc != C.SQLITE_OK {
		return &RowError{Row: b.name(int(row)), Err: &SQLiteError{Code: int(rc), Msg: C.GoString(&msg[0])}}
	}
	b.reset()
	return nil
}

// SQLiteError is a failure SQLite reported while building a file.
type SQLiteError struct {
	Code int // extended result code
	Msg  string
}

func (e *SQLiteError) Error() string { return fmt.Sprintf("%s (sqlite %d)", e.Msg, e.Code) }

// RowError is a row SQLite refused (a constraint), named by its first text
// value.
type RowError struct {
	Row string
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %q: %v", e.Row, e.Err) }
func (e *RowError) Unwrap() error { return e.Err }

func sqliteErr(rc C.int, db *C.sqlite3) error {
	msg := C.GoString(C.sqlite3_errstr(rc))
	if db != nil {
		msg = C.GoString(C.sqlite3_errmsg(db))
	}
	return &SQLiteError{Code: int(rc), Msg: msg}
}

// Value tags, as ldw_insert reads them.
const (
	tagNull = 0
	tagInt  = 1
	tagText = 2
	tagBlob = 3
)

// rowBuf is rows of values encoded for ldw_insert: per value a tag byte,
// then 8 bytes of int64, or a u32 length and the bytes (native byte order:
// the C side memcpy()s them). Appending costs a copy of the bytes and no
// allocation once the buffer has grown.
type rowBuf struct {
	buf    []byte
	starts []int // offset of each row, to name a failed one
	rows   int
	open   int // values appended to the row not yet ended
}

func (b *rowBuf) begin() {
	if b.open == 0 {
		b.starts = append(b.starts, len(b.buf))
	}
	b.open++
}

func (b *rowBuf) text(s string) {
	b.begin()
	b.buf = append(b.buf, tagText)
	b.buf = binary.NativeEndian.AppendUint32(b.buf, uint32(len(s)))
	b.buf = append(b.buf, s...)
}

func (b *rowBuf) blob(p []byte) {
	b.begin()
	b.buf = append(b.buf, tagBlob)
	b.buf = binary.NativeEndian.AppendUint32(b.buf, uint32(len(p)))
	b.buf = append(b.buf, p...)
}

func (b *rowBuf) int(v int64) {
	b.begin()
	b.buf = append(b.buf, tagInt)
	b.buf = binary.NativeEndian.AppendUint64(b.buf, uint64(v))
}

// null appends SQL NULL.
func (b *rowBuf) null() {
	b.begin()
	b.buf = append(b.buf, tagNull)
}

// end closes the current row.
func (b *rowBuf) end() {
	b.rows++
	b.open = 0
}

func (b *rowBuf) reset() {
	b.buf, b.starts, b.rows, b.open = b.buf[:0], b.starts[:0], 0, 0
}

// name is the first text value of row i, for an error message.
func (b *rowBuf) name(i int) string {
	if i < 0 || i >= len(b.starts) {
		return "?"
	}
	p := b.buf[b.starts[i]:]
	for len(p) > 0 {
		switch p[0] {
		case tagNull:
			p = p[1:]
		case tagInt:
			p = p[min(9, len(p)):]
		case tagText, tagBlob:
			if len(p) < 5 {
				return "?"
			}
			n := int(binary.NativeEndian.Uint32(p[1:]))
			if len(p) < 5+n {
				return "?"
			}
			if p[0] == tagText {
				return string(p[5 : 5+n])
			}
			p = p[5+n:]
		default:
			return "?"
		}
	}
	return "?"
}

// table inserts rows into one table through one prepared statement,
// flushing every batchRows rows or batchBytes bytes; rows go in in the
// order given (rowid order is the enumeration order). The context is
// checked before each flush, so a cancelled publication stops within one
// batch.
type table struct {
	ctx  context.Context
	name string
	st   *wstmt
	rows rowBuf
}

// batchRows rows, or batchBytes of encoded values, go to SQLite per cgo
// call: enough that the call's cost vanishes, small enough that a
// cancellation is noticed within a millisecond or so.
const (
	batchRows  = 256
	batchBytes = 256 << 10
)

func newTable(ctx context.Context, c *wconn, name, cols string, ncols int) (*table, error) {
	sql := "INSERT INTO " + name + " (" + cols + ") VALUES (?" + repeat(",?", ncols-1) + ")"
	st, err := c.prepare(sql, ncols)
	if err != nil {
		return nil, fmt.Errorf("cache: prepare %s: %w", name, err)
	}
	return &table{ctx: ctx, name: name, st: st}, nil
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

// end closes the row being appended to t.rows and flushes a full batch.
func (t *table) end() error {
	t.rows.end()
	if t.rows.rows >= batchRows || len(t.rows.buf) >= batchBytes {
		return t.flush()
	}
	return nil
}

// flush inserts the rows queued so far.
func (t *table) flush() error {
	if err := t.ctx.Err(); err != nil {
		return fmt.Errorf("cache: insert %s: %w", t.name, err)
	}
	if err := t.st.insert(&t.rows); err != nil {
		return fmt.Errorf("cache: insert %s: %w", t.name, err)
	}
	return nil
}

// close finalizes the statement; rows not flushed are dropped (the
// transaction is being abandoned).
func (t *table) close() { t.st.close() }
