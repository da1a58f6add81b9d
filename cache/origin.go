package cache

import (
	"errors"
	"fmt"
)

// Origin says where each entry of a loaded Snapshot came from: a line of
// a file (LoadFiles) or an element of a JSON document (LoadJSON). It holds
// as long as the Snapshot's maps are neither reordered nor extended.
type Origin struct {
	json bool
	// lines[m][i] is the line of entry i of map m ("passwd", "group",
	// "shadow", as *InvalidError.Map names them); unused for JSON, where
	// entry i is element i.
	lines map[string][]int
}

// Place returns err, when it is Validate's (or Publish's) refusal of one
// entry of the loaded Snapshot, as a *ParseError naming that entry's file
// and line ("passwd:12: invalid passwd entry …") or JSON element
// ("users[3]: …"), and a duplicate's first occurrence as well. Any other
// error (the shrink guard, I/O, a snapshot-wide field) is returned as it
// is. The *InvalidError stays reachable through errors.As.
func (o *Origin) Place(err error) error {
	var ie *InvalidError
	if o == nil || !errors.As(err, &ie) {
		return err
	}
	msg := fmt.Sprintf("invalid %s entry %q: %s: %s", ie.Map, ie.Name, ie.Field, ie.Reason)
	if o.json {
		key, ok := jsonKeys[ie.Map]
		if !ok {
			return err
		}
		if ie.First >= 0 {
			msg += fmt.Sprintf("; first at %s[%d]", key, ie.First)
		}
		return &ParseError{File: "json", Msg: fmt.Sprintf("%s[%d]: %s", key, ie.Index, msg), Err: ie}
	}
	lines := o.lines[ie.Map]
	// Out of range only if the caller changed the maps after loading: a
	// wrong line would mislead more than none.
	if ie.Index < 0 || ie.Index >= len(lines) || ie.First >= len(lines) {
		return err
	}
	if ie.First >= 0 {
		msg += fmt.Sprintf("; first on line %d", lines[ie.First])
	}
	return &ParseError{File: ie.Map, Line: lines[ie.Index], Msg: msg, Err: ie}
}
