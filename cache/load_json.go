package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// LoadJSON reads a snapshot from one JSON document:
//
//	{
//	  "source": "hr export 2026-11-25",              // optional
//	  "users": [{"name": "alice", "passwd": "x", "uid": 10001, "gid": 10001,
//	             "gecos": "Alice", "dir": "/home/alice", "shell": "/bin/bash"}],
//	  "groups": [{"name": "eng", "passwd": "x", "gid": 20001,
//	              "members": ["alice"]}],
//	  "shadow": [{"name": "alice", "passwd": "$6$…", "lastchg": 19000,
//	              "min": 0, "max": 99999, "warn": 7,
//	              "inact": null, "expire": null, "flag": null}]
//	}
//
// Required: users[].name, passwd, uid, gid, dir, shell; groups[].name, gid;
// shadow[].name, passwd. Optional: gecos (""), groups[].passwd ("x"),
// members ([]), shadow day counts (absent or null: an empty field). A
// missing "shadow" key means no shadow map; "shadow": [] means an empty one.
// Unknown keys, trailing data, a missing required field and a value of the
// wrong JSON type are a *ParseError ("users[3]: uid missing").
//
// LoadJSON only parses; Validate, in Publish, says whether the entries may
// be published, and Origin.Place names the element it refuses.
func LoadJSON(r io.Reader) (*Snapshot, *Origin, error) {
	var doc jsonDoc
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, &ParseError{File: "json", Msg: err.Error(), Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, nil, &ParseError{File: "json", Msg: "trailing data after the document"}
	}
	snap, err := doc.snapshot()
	if err != nil {
		return nil, nil, err
	}
	return snap, &Origin{json: true}, nil
}

// jsonKeys names the array of the document that holds each map's entries,
// in the order of the map's slice in the Snapshot (Origin.Place).
var jsonKeys = map[string]string{"passwd": "users", "group": "groups", "shadow": "shadow"}

// Pointers tell "absent" from zero: a missing uid must not become uid 0.
type jsonDoc struct {
	Source *string      `json:"source"`
	Users  []jsonUser   `json:"users"`
	Groups []jsonGroup  `json:"groups"`
	Shadow []jsonShadow `json:"shadow"`
}

type jsonUser struct {
	Name   *string `json:"name"`
	Passwd *string `json:"passwd"`
	UID    *uint32 `json:"uid"`
	GID    *uint32 `json:"gid"`
	Gecos  *string `json:"gecos"`
	Dir    *string `json:"dir"`
	Shell  *string `json:"shell"`
}

type jsonGroup struct {
	Name    *string  `json:"name"`
	Passwd  *string  `json:"passwd"`
	GID     *uint32  `json:"gid"`
	Members []string `json:"members"`
}

type jsonShadow struct {
	Name    *string `json:"name"`
	Passwd  *string `json:"passwd"`
	LastChg *int64  `json:"lastchg"`
	Min     *int64  `json:"min"`
	Max     *int64  `json:"max"`
	Warn    *int64  `json:"warn"`
	Inact   *int64  `json:"inact"`
	Expire  *int64  `json:"expire"`
	Flag    *int64  `json:"flag"`
}

func missing(where string, i int, field string) error {
	return &ParseError{File: "json", Msg: fmt.Sprintf("%s[%d]: %s missing", where, i, field)}
}

func (d *jsonDoc) snapshot() (*Snapshot, error) {
	snap := &Snapshot{Source: deref(d.Source, "")}
	for i, u := range d.Users {
		for _, req := range []struct {
			name    string
			present bool
		}{{"name", u.Name != nil}, {"passwd", u.Passwd != nil}, {"uid", u.UID != nil},
			{"gid", u.GID != nil}, {"dir", u.Dir != nil}, {"shell", u.Shell != nil}} {
			if !req.present {
				return nil, missing("users", i, req.name)
			}
		}
		snap.Users = append(snap.Users, User{Name: *u.Name, Passwd: *u.Passwd, UID: *u.UID, GID: *u.GID,
			Gecos: deref(u.Gecos, ""), Dir: *u.Dir, Shell: *u.Shell})
	}
	for i, g := range d.Groups {
		if g.Name == nil {
			return nil, missing("groups", i, "name")
		}
		if g.GID == nil {
			return nil, missing("groups", i, "gid")
		}
		snap.Groups = append(snap.Groups, Group{Name: *g.Name, Passwd: deref(g.Passwd, "x"), GID: *g.GID, Members: g.Members})
	}
	if d.Shadow != nil {
		snap.Shadow = make([]Shadow, 0, len(d.Shadow))
	}
	for i, s := range d.Shadow {
		if s.Name == nil {
			return nil, missing("shadow", i, "name")
		}
		if s.Passwd == nil {
			return nil, missing("shadow", i, "passwd")
		}
		snap.Shadow = append(snap.Shadow, Shadow{Name: *s.Name, Passwd: *s.Passwd,
			LastChange: deref(s.LastChg, Unset), Min: deref(s.Min, Unset), Max: deref(s.Max, Unset),
			Warn: deref(s.Warn, Unset), Inactive: deref(s.Inact, Unset), Expire: deref(s.Expire, Unset),
			Flag: deref(s.Flag, Unset)})
	}
	return snap, nil
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
