package cache

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
)

// Packed blocks (schema version 2): every passwd, group and shadow entry
// once more, many per BLOB, for the module's enumeration (c/enum.c reads
// them; point lookups use the row tables). The format is the contract in
// schema_main.sql and c/ldapidm.h:
//
//	block  = u32 count (>= 1), count entries, nothing after the last
//	entry  = numbers, one u32 length per string, each string + NUL
//	passwd = u32 uid, u32 gid;  name passwd gecos dir shell
//	group  = u32 gid;           name passwd members (joined by ',')
//	shadow = i64 lastchg min max warn inact expire flag; name passwd
//
// little-endian, unaligned; lengths exclude the NUL; -1 is an empty
// shadow field (Unset).

// blockTarget is the size at which a block is closed: a block holds
// entries until it reaches blockTarget bytes or more, so it is at most
// blockTarget plus one entry. Measured on enumeration of 100,000 users
// (setpwent..endpwent through the module, 4 KiB pages): see
// TestBlockTarget's comment in block_test.go for the numbers.
const blockTarget = 16 << 10

// Shape of each map's entries: bytes of numbers, number of strings.
type blockShape struct {
	table string
	nnum  int
	nstr  int
	nids  int // leading u32 uid/gid fields, which must not be 2^32-1
}

var (
	shapePasswd = blockShape{"passwd_block", 8, 5, 2}
	shapeGroup  = blockShape{"grp_block", 4, 3, 1}
	shapeShadow = blockShape{"shadow_block", 56, 2, 0}
)

// blockWriter packs entries of one map and inserts each block as it
// closes, in order (block ids ascend with enumeration order).
type blockWriter struct {
	t     *table
	shape blockShape
	buf   []byte
	count uint32
	total int // entries written, for the error message
}

func newBlockWriter(ctx context.Context, c *wconn, shape blockShape) (*blockWriter, error) {
	t, err := newTable(ctx, c, shape.table, "data", 1)
	if err != nil {
		return nil, err
	}
	return &blockWriter{t: t, shape: shape, buf: make([]byte, 4, blockTarget+4096)}, nil
}

// start returns the buffer to append the next entry's numbers to.
func (w *blockWriter) start() []byte { return w.buf }

// end takes the buffer back with one entry appended, and closes the block
// once it is full.
func (w *blockWriter) end(buf []byte) error {
	w.buf = buf
	w.count++
	w.total++
	if len(w.buf) < blockTarget {
		return nil
	}
	binary.LittleEndian.PutUint32(w.buf[:4], w.count)
	w.t.rows.blob(w.buf)
	w.buf, w.count = w.buf[:4], 0
	if err := w.t.end(); err != nil {
		return fmt.Errorf("cache: %s blocks up to entry %d: %w", w.shape.table, w.total, err)
	}
	return nil
}

// flush queues the open block, if it holds anything, and inserts what is
// queued.
func (w *blockWriter) flush() error {
	if w.count > 0 {
		binary.LittleEndian.PutUint32(w.buf[:4], w.count)
		w.t.rows.blob(w.buf)
		w.t.rows.end()
		w.buf, w.count = w.buf[:4], 0
	}
	if w.t.rows.rows == 0 {
		return nil
	}
	if err := w.t.flush(); err != nil {
		return fmt.Errorf("cache: %s blocks up to entry %d: %w", w.shape.table, w.total, err)
	}
	return nil
}

func (w *blockWriter) close() { w.t.close() }

// appendStrings appends the lengths, then the strings each with its NUL.
func appendStrings(b []byte, s ...string) []byte {
	for _, v := range s {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(v)))
	}
	for _, v := range s {
		b = append(b, v...)
		b = append(b, 0)
	}
	return b
}

func appendUser(b []byte, u *User) []byte {
	b = binary.LittleEndian.AppendUint32(b, u.UID)
	b = binary.LittleEndian.AppendUint32(b, u.GID)
	return appendStrings(b, u.Name, u.Passwd, u.Gecos, u.Dir, u.Shell)
}

// appendGroup takes members already joined, as grp.members stores them.
func appendGroup(b []byte, g *Group, members string) []byte {
	b = binary.LittleEndian.AppendUint32(b, g.GID)
	return appendStrings(b, g.Name, g.Passwd, members)
}

func appendShadow(b []byte, s *Shadow) []byte {
	for _, v := range [...]int64{s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire, s.Flag} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return appendStrings(b, s.Name, s.Passwd)
}

// errBlock is a block that breaks the format (verify, tests).
var errBlock = errors.New("malformed block")

// decodeBlock checks one block against the format, exactly as strictly as
// the C reader, and calls fn (when not nil) with each entry's numbers and
// strings (copies; num aliases data). It returns the number of entries.
func decodeBlock(data []byte, shape blockShape, fn func(num []byte, strs []string)) (int, error) {
	if fn == nil {
		return decodeBlockBytes(data, shape, nil)
	}
	strs := make([]string, shape.nstr)
	return decodeBlockBytes(data, shape, func(num []byte, fields [][]byte) {
		for k, f := range fields {
			strs[k] = string(f)
		}
		fn(num, strs)
	})
}

// decodeBlockBytes is decodeBlock handing fn the fields as slices of data,
// valid during the call: checking a table of 100,000 small blocks
// (passwd_name) allocates nothing per entry.
func decodeBlockBytes(data []byte, shape blockShape, fn func(num []byte, fields [][]byte)) (int, error) {
	if len(data) < 4 {
		return 0, fmt.Errorf("%w: %d bytes", errBlock, len(data))
	}
	count := binary.LittleEndian.Uint32(data)
	if count == 0 {
		return 0, fmt.Errorf("%w: count 0", errBlock)
	}
	var fieldsArr [8][]byte
	fields := fieldsArr[:shape.nstr]
	off := 4
	for i := uint32(0); i < count; i++ {
		hdr := shape.nnum + 4*shape.nstr
		if len(data)-off < hdr {
			return 0, fmt.Errorf("%w: entry %d header overruns the block", errBlock, i)
		}
		num := data[off : off+shape.nnum]
		for k := 0; k < shape.nids; k++ {
			if binary.LittleEndian.Uint32(num[4*k:]) == 1<<32-1 {
				return 0, fmt.Errorf("%w: entry %d id %d is 2^32-1", errBlock, i, k)
			}
		}
		s := off + hdr
		for k := 0; k < shape.nstr; k++ {
			n := int(binary.LittleEndian.Uint32(data[off+shape.nnum+4*k:]))
			if n >= len(data)-s || data[s+n] != 0 {
				return 0, fmt.Errorf("%w: entry %d field %d overruns the block or lacks its NUL", errBlock, i, k)
			}
			fields[k] = data[s : s+n]
			s += n + 1
		}
		if fn != nil {
			fn(num, fields)
		}
		off = s
	}
	if off != len(data) {
		return 0, fmt.Errorf("%w: %d bytes after the last entry", errBlock, len(data)-off)
	}
	return int(count), nil
}

// countBlocks decodes every block of a table in id order and returns the
// number of entries they hold.
func countBlocks(ctx context.Context, conn *sql.Conn, shape blockShape) (int, error) {
	rows, err := conn.QueryContext(ctx, "SELECT data FROM "+shape.table+" ORDER BY id")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for blk := 1; rows.Next(); blk++ {
		var data sql.RawBytes
		if err := rows.Scan(&data); err != nil {
			return 0, err
		}
		n, err := decodeBlock(data, shape, nil)
		if err != nil {
			return 0, fmt.Errorf("%s block %d (in id order): %w", shape.table, blk, err)
		}
		total += n
	}
	return total, rows.Err()
}
