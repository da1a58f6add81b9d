package cache

import (
	"reflect"
	"testing"
)

func TestDedupMembers(t *testing.T) {
	for _, tc := range []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{"a"}, []string{"a"}},
		{[]string{"a", "b", "c"}, []string{"a", "b", "c"}},
		{[]string{"a", "a"}, []string{"a"}},
		{[]string{"a", "b", "a"}, []string{"a", "b"}},
		{[]string{"a", "b", "b", "c", "a", "d"}, []string{"a", "b", "c", "d"}},
		{[]string{"x", "x", "x", "x"}, []string{"x"}},
	} {
		in := append([]string(nil), tc.in...)
		got := dedupMembers(in)
		if !reflect.DeepEqual(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("dedupMembers(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) && !(len(in) == 0 && len(tc.in) == 0) {
			t.Errorf("dedupMembers(%q) changed its input to %q", tc.in, in)
		}
		// Without repeats the caller's list comes back as is (Publish
		// calls this twice per group; a refresher snapshot has none).
		if len(tc.in) > 0 && len(got) == len(tc.in) && &got[0] != &in[0] {
			t.Errorf("dedupMembers(%q) copied a list without repeats", tc.in)
		}
	}
}
