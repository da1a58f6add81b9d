package ldapsrc

import (
	"strings"

	"github.com/ldapidm/ldapidm/refresher/ldapsrc/ber"
)

// entryDecoder turns SearchResultEntry operations into Entries. It keeps
// only the attributes the search asked for, at their position in the
// request (Entry.Vals), and is built to allocate little per entry, because
// at 100,000 users per-value allocations and the GC work they caused were
// most of a pull's CPU (issue #3):
//   - the operation is copied once into a string; the DN and every value
//     are substrings of it, so values cost no copy (a caller that keeps a
//     few small values of a big entry copies them out, or it keeps the
//     whole entry alive);
//   - the value lists of a page are carved out of one slab, and the Vals
//     of its entries out of another, both capacity-capped so that
//     appending to one never writes into the next.
//
// A slab is never reused once handed out (groups keep their member lists),
// so newPage starts fresh ones sized from the previous page.
type entryDecoder struct {
	want  []string // requested attribute names, as requested (index compares case-insensitively)
	slab  []string
	vslab [][]string
	last  int // values on the previous page, to size the next slab
	lastN int // entries on the previous page, to size the next vslab
}

func newEntryDecoder(attrs []string) *entryDecoder {
	return &entryDecoder{want: attrs}
}

func (d *entryDecoder) newPage() {
	d.slab = make([]string, 0, max(d.last, 64))
	d.vslab = make([][]string, 0, max(d.lastN, 16)*len(d.want))
	d.last, d.lastN = 0, 0
}

// vals returns the next entry's zeroed Vals, from the page's vslab.
func (d *entryDecoder) vals() [][]string {
	n := len(d.want)
	if cap(d.vslab)-len(d.vslab) < n {
		d.vslab = make([][]string, 0, max(d.lastN, 16)*n)
	}
	start := len(d.vslab)
	d.vslab = d.vslab[:start+n]
	d.lastN++
	return d.vslab[start : start+n : start+n]
}

// index is the position of attribute type t in want, or -1. Attribute
// descriptions compare case-insensitively (RFC 4512 §2.5); one with options
// ("cn;lang-en") is a different description and is not kept.
func (d *entryDecoder) index(t string) int {
	for i, w := range d.want {
		if len(w) == len(t) && strings.EqualFold(w, t) {
			return i
		}
	}
	return -1
}

// decode decodes the content of a SearchResultEntry:
// SEQUENCE { objectName LDAPDN, attributes SEQUENCE OF SEQUENCE { type,
// vals SET OF value } }. Any malformation is an error: a pull never uses
// an entry it could only partly read.
func (d *entryDecoder) decode(op []byte) (Entry, error) {
	s := string(op)
	dn, rest, err := ber.Expect(s, ber.TagOctetString)
	if err != nil {
		return Entry{}, err
	}
	list, rest, err := ber.Expect(rest, ber.TagSequence)
	if err != nil {
		return Entry{}, err
	}
	if len(rest) != 0 {
		return Entry{}, protoErr("%d bytes after the attributes of entry %q", len(rest), dn)
	}
	e := Entry{DN: dn, Vals: d.vals()}
	for len(list) > 0 {
		var pa string
		if pa, list, err = ber.Expect(list, ber.TagSequence); err != nil {
			return Entry{}, err
		}
		typ, pr, err := ber.Expect(pa, ber.TagOctetString)
		if err != nil {
			return Entry{}, err
		}
		set, pr, err := ber.Expect(pr, ber.TagSet)
		if err != nil {
			return Entry{}, err
		}
		if len(pr) != 0 {
			return Entry{}, protoErr("%d bytes after the values of attribute %q", len(pr), typ)
		}
		k := d.index(typ)
		start := len(d.slab)
		for len(set) > 0 {
			var v string
			if v, set, err = ber.Expect(set, ber.TagOctetString); err != nil {
				return Entry{}, err
			}
			if k >= 0 {
				d.slab = append(d.slab, v)
			}
		}
		if k < 0 {
			continue // not asked for: dropped
		}
		vs := d.slab[start:len(d.slab):len(d.slab)]
		d.last += len(vs)
		if prev := e.Vals[k]; prev != nil {
			// The same type twice: legal only as options differ, but
			// keep every value rather than lose one. prev is capped, so
			// this copies instead of writing into the slab.
			vs = append(prev, vs...)
		}
		e.Vals[k] = vs
	}
	return e, nil
}
