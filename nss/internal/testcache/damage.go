package testcache

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"sort"
)

// BlockTables are the packed-block tables of each file.
var BlockTables = map[string][]string{
	"cache.db":  {"passwd_block", "grp_block"},
	"shadow.db": {"shadow_block"},
}

// DamagedBlock is the id of the block Damage breaks: the blocks before it
// (DeliveredBefore entries of each map) are intact, so a reader hands those
// out and must then refuse the rest of the walk.
const DamagedBlock = 3

// DeliveredBefore is how many entries precede block DamagedBlock.
var DeliveredBefore = blockLen(0) + blockLen(1)

// shape is an entry's layout: bytes of numbers, number of strings.
type shape struct{ num, strs int }

var shapes = map[string]shape{
	"passwd_block": {8, 5},
	"grp_block":    {4, 3},
	"shadow_block": {56, 2},
}

// lenAt is the offset of the first entry's first string length.
func (s shape) lenAt() int { return 4 + s.num }

// Damages maps a name to what it does to one block's bytes (nil: the value
// is stored as TEXT instead of a BLOB). Each makes a block the C reader
// must refuse without reading outside it; none changes the row tables, so
// point lookups keep working.
var Damages = map[string]func(b []byte, s shape) []byte{
	"truncated mid-entry": func(b []byte, s shape) []byte { return b[:len(b)/2] },
	"3 bytes":             func(b []byte, s shape) []byte { return b[:3] },
	"empty blob":          func(b []byte, s shape) []byte { return []byte{} },
	"header cut":          func(b []byte, s shape) []byte { return b[:s.lenAt()+3] },
	"count 0":             func(b []byte, s shape) []byte { return put32(b, 0, 0) },
	"count 2^32-1":        func(b []byte, s shape) []byte { return put32(b, 0, 1<<32-1) },
	"count one too many":  func(b []byte, s shape) []byte { return put32(b, 0, get32(b, 0)+1) },
	"count one too few":   func(b []byte, s shape) []byte { return put32(b, 0, get32(b, 0)-1) },
	"trailing byte":       func(b []byte, s shape) []byte { return append(b, 0) },
	"last NUL cut":        func(b []byte, s shape) []byte { return b[:len(b)-1] }, // last length == bytes left
	"length 2^32-1":       func(b []byte, s shape) []byte { return put32(b, s.lenAt(), 1<<32-1) },
	"length 2^31":         func(b []byte, s shape) []byte { return put32(b, s.lenAt(), 1<<31) },
	"length to blob end":  func(b []byte, s shape) []byte { return put32(b, s.lenAt(), uint32(len(b))) },
	"length one more":     func(b []byte, s shape) []byte { return put32(b, s.lenAt(), get32(b, s.lenAt())+1) },
	"NUL replaced": func(b []byte, s shape) []byte {
		b[s.lenAt()+4*s.strs+int(get32(b, s.lenAt()))] = 'x' // the first string's NUL
		return b
	},
	"text, not blob": nil,
}

// DamageNames lists Damages in a fixed order.
func DamageNames() []string {
	names := make([]string, 0, len(Damages))
	for n := range Damages {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func get32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

func put32(b []byte, off int, v uint32) []byte {
	binary.LittleEndian.PutUint32(b[off:], v)
	return b
}

// Damage applies the named damage to block DamagedBlock of every block
// table of the cache in dir (which must have that many blocks).
func Damage(dir, name string) error {
	fn, ok := Damages[name]
	if !ok {
		return fmt.Errorf("damage %q unknown", name)
	}
	for file, tables := range BlockTables {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, file)+"?_journal_mode=DELETE")
		if err != nil {
			return err
		}
		for _, t := range tables {
			if err := damageOne(db, t, fn); err != nil {
				db.Close()
				return fmt.Errorf("damage %q, %s: %w", name, t, err)
			}
		}
		if err := db.Close(); err != nil {
			return err
		}
	}
	return nil
}

func damageOne(db *sql.DB, table string, fn func([]byte, shape) []byte) error {
	var b []byte
	if err := db.QueryRow(`SELECT data FROM `+table+` WHERE id = ?`, DamagedBlock).Scan(&b); err != nil {
		return err
	}
	if fn == nil {
		_, err := db.Exec(`UPDATE `+table+` SET data = CAST(? AS TEXT) WHERE id = ?`, string(b), DamagedBlock)
		return err
	}
	_, err := db.Exec(`UPDATE `+table+` SET data = ? WHERE id = ?`, fn(b, shapes[table]), DamagedBlock)
	return err
}
