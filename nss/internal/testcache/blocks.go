package testcache

import (
	"database/sql"
	"encoding/binary"
	"fmt"
	"strings"
)

// The packed blocks of schema version 2, written here from the format in
// cache/schema_main.sql (not by calling the writer in cache/), so the C
// reader is tested against a second encoding of the documented contract.
// Block k holds 1 + k%9 entries: block boundaries fall everywhere, and the
// 5,000-member group lands in a block with others.

func blockLen(k int) int { return 1 + k%9 }

func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

func strs(b []byte, s ...string) []byte {
	for _, v := range s {
		b = le32(b, uint32(len(v)))
	}
	for _, v := range s {
		b = append(append(b, v...), 0)
	}
	return b
}

// PasswdEntry, GroupEntry and ShadowEntry encode one entry.
func PasswdEntry(u User) []byte {
	b := le32(le32(nil, u.UID), u.GID)
	return strs(b, u.Name, u.Passwd, u.Gecos, u.Dir, u.Shell)
}

func GroupEntry(g Group) []byte {
	return strs(le32(nil, g.GID), g.Name, g.Passwd, strings.Join(g.Members, ","))
}

func ShadowEntry(s Shadow) []byte {
	var b []byte
	for _, v := range []int64{s.LastChange, s.Min, s.Max, s.Warn, s.Inactive, s.Expire, s.Flag} {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return strs(b, s.Name, s.Passwd)
}

// writeBlocks inserts entries into table, blockLen(k) per block k.
func writeBlocks(tx *sql.Tx, table string, entries [][]byte) error {
	for k, i := 0, 0; i < len(entries); k++ {
		n := min(blockLen(k), len(entries)-i)
		b := le32(nil, uint32(n))
		for _, e := range entries[i : i+n] {
			b = append(b, e...)
		}
		if _, err := tx.Exec(`INSERT INTO `+table+`(data) VALUES(?)`, b); err != nil {
			return fmt.Errorf("%s block %d: %w", table, k, err)
		}
		i += n
	}
	return nil
}
