package refresher

import (
	"fmt"
	"testing"

	"github.com/ldapidm/ldapidm/refresher/validate"
)

// Candidates come out of pointers once each, in the order they were added,
// directory after directory, whatever the chunk boundaries.
func TestUserChunksFlatten(t *testing.T) {
	for _, sizes := range [][]int{
		{0}, {1}, {minChunk - 1}, {minChunk}, {minChunk + 1}, {3*maxChunk + 5},
		{0, 0}, {minChunk, 1}, {2, maxChunk + 1, 0, 700},
	} {
		t.Run(fmt.Sprint(sizes), func(t *testing.T) {
			var parts []*userChunks
			want := 0
			for d, n := range sizes {
				p := &userChunks{}
				for i := 0; i < n; i++ {
					c := validate.UserCand{Dir: d}
					c.User.UID = uint32(want)
					p.add(c)
					want++
				}
				for _, c := range p.chunks {
					if cap(c) > maxChunk || cap(c) < minChunk {
						t.Fatalf("chunk capacity %d outside %d..%d", cap(c), minChunk, maxChunk)
					}
				}
				parts = append(parts, p)
			}
			got := pointers(parts)
			if len(got) != want || cap(got) != want {
				t.Fatalf("%d candidates (cap %d), want %d", len(got), cap(got), want)
			}
			d := 0
			for i, c := range got {
				if c.User.UID != uint32(i) || c.Dir < d {
					t.Fatalf("candidate %d: uid %d dir %d after dir %d", i, c.User.UID, c.Dir, d)
				}
				d = c.Dir
			}
			// Pointers into the chunks, not copies.
			if want > 0 {
				got[0].User.Name = "changed"
				if parts[firstNonEmpty(sizes)].chunks[0][0].User.Name != "changed" {
					t.Fatal("pointers do not point into the chunks")
				}
			}
		})
	}
}

func firstNonEmpty(sizes []int) int {
	for i, n := range sizes {
		if n > 0 {
			return i
		}
	}
	return -1
}
