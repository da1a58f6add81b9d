package refresher

import "github.com/ldapidm/ldapidm/refresher/validate"

// userChunks collects a directory's user candidates as they are mapped.
// One slice grown by append re-copied its 136-byte candidates about a
// dozen times on the way to 100,000 (a tenth of the CPU before publish at
// issue #3's benchmark, all of it under GC write barriers), and a flat
// copy at the end doubled the peak heap for a moment; chunks are filled in
// place and never copied: the set rules sort pointers into them.
type userChunks struct {
	chunks [][]validate.UserCand
	n      int
}

// Chunk sizes grow with the count, from minChunk (a small directory stays
// small) to maxChunk (a large one wastes at most one partly filled chunk).
const (
	minChunk = 256
	maxChunk = 8192
)

func (u *userChunks) add(c validate.UserCand) {
	k := len(u.chunks) - 1
	if k < 0 || len(u.chunks[k]) == cap(u.chunks[k]) {
		u.chunks = append(u.chunks, make([]validate.UserCand, 0, min(max(u.n, minChunk), maxChunk)))
		k++
	}
	u.chunks[k] = append(u.chunks[k], c)
	u.n++
}

// pointers returns a pointer to every candidate of every part, in order.
// The chunks stay where they are, kept alive by the pointers.
func pointers(parts []*userChunks) []*validate.UserCand {
	n := 0
	for _, p := range parts {
		n += p.n
	}
	out := make([]*validate.UserCand, 0, n)
	for _, p := range parts {
		for _, c := range p.chunks {
			for i := range c {
				out = append(out, &c[i])
			}
		}
	}
	return out
}
