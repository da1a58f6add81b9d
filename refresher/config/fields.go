package config

import (
	"fmt"
	"strings"
)

// fields are every mappable field, in ypldap.conf(5)'s order (which the
// "unknown field" error follows), shadow fields last. The man page's table
// lists the same set (TestFieldsDocumented).
var fields = []Field{
	FieldName, FieldPasswd, FieldUID, FieldGID, FieldClass, FieldChange,
	FieldExpire, FieldGecos, FieldHome, FieldShell, FieldGroupName,
	FieldGroupPasswd, FieldGroupGID, FieldGroupMembers,
	FieldShadowLastChange, FieldShadowMin, FieldShadowMax,
	FieldShadowWarning, FieldShadowInactive, FieldShadowExpire, FieldShadowFlag,
}

func isShadowField(f Field) bool { return strings.HasPrefix(string(f), "shadow") }

// bsdOnly are ypldap fields for BSD's master.passwd with no Linux
// counterpart: accepted and listed in the ignored-statements notice.
func bsdOnly(f Field) bool { return f == FieldClass || f == FieldChange || f == FieldExpire }

func (fp *fileParser) field(directive string) (Field, token, *Error) {
	t, e := fp.arg(directive, "field name")
	if e != nil {
		return "", t, e
	}
	for _, f := range fields {
		if t.kind == tWord && string(f) == t.text {
			return f, t, nil
		}
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f)
	}
	return "", t, fp.errorf(t.line, directive, "unknown field %q (one of: %s)", t.text, strings.Join(names, ", "))
}

// claim records that field f gets its source at line; a field has one
// source only, so a second mapping is an error naming the first.
func (ds *dirState) claim(f Field, directive string, line int) *Error {
	if first, ok := ds.fieldLine[f]; ok {
		return errorf(ds.file, line, directive, "field %s is already mapped at line %d", f, first)
	}
	ds.fieldLine[f] = line
	return nil
}

// dirAttribute handles `attribute FIELD maps to "ATTR"`.
func (fp *fileParser) dirAttribute(ds *dirState, t token) *Error {
	f, ft, e := fp.field("attribute")
	if e != nil {
		return e
	}
	d := "attribute " + string(f)
	if f == FieldGroupMembers {
		return fp.errorf(ft.line, d, "groupmembers holds many values: write `list groupmembers maps to \"ATTR\"`")
	}
	a, e := fp.mapsTo(d)
	if e != nil {
		return e
	}
	if e := ds.claim(f, d, t.line); e != nil {
		return e
	}
	ds.d.Attr[f] = a
	if bsdOnly(f) {
		fp.p.ignored.add("field "+string(f), fp.src.name, t.line)
	}
	return nil
}

// dirList handles `list FIELD maps to "ATTR"`. ypldap allows it on any
// field (joining values with commas); on Linux only group members are a
// list, and a comma-joined name or id would be rejected at every refresh.
func (fp *fileParser) dirList(ds *dirState, t token) *Error {
	f, ft, e := fp.field("list")
	if e != nil {
		return e
	}
	d := "list " + string(f)
	if f != FieldGroupMembers {
		return fp.errorf(ft.line, d, "only groupmembers can be a list; write `attribute %s maps to \"ATTR\"`", f)
	}
	a, e := fp.mapsTo(d)
	if e != nil {
		return e
	}
	if e := ds.claim(f, d, t.line); e != nil {
		return e
	}
	ds.d.List[f] = a
	return nil
}

func (fp *fileParser) mapsTo(d string) (string, *Error) {
	if e := fp.keyword(d, "maps"); e != nil {
		return "", e
	}
	if e := fp.keyword(d, "to"); e != nil {
		return "", e
	}
	a, e := fp.arg(d, "LDAP attribute name")
	if e != nil {
		return "", e
	}
	if !validAttr(a.text) {
		return "", fp.errorf(a.line, d, "%q is not an LDAP attribute name (RFC 4512: a letter then letters, digits, '-'; or a numeric OID)", a.text)
	}
	return a.text, nil
}

// validAttr accepts an RFC 4512 attribute description: a descriptor or a
// numeric OID, optionally followed by ;options.
func validAttr(s string) bool {
	parts := strings.Split(s, ";")
	base := parts[0]
	if base == "" {
		return false
	}
	if base[0] >= '0' && base[0] <= '9' {
		for _, arc := range strings.Split(base, ".") {
			if arc == "" || strings.Trim(arc, "0123456789") != "" {
				return false
			}
		}
	} else if !isKeyString(base) {
		return false
	}
	for _, o := range parts[1:] {
		if !isKeyString(o) {
			return false
		}
	}
	return true
}

func isKeyString(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// dirFixed handles `fixed attribute FIELD "VALUE"`. Values are checked as
// the refresher would check them from LDAP, once, here.
func (fp *fileParser) dirFixed(ds *dirState, t token) *Error {
	if e := fp.keyword("fixed", "attribute"); e != nil {
		return e
	}
	f, _, e := fp.field("fixed attribute")
	if e != nil {
		return e
	}
	d := "fixed attribute " + string(f)
	v, e := fp.arg(d, "value")
	if e != nil {
		return e
	}
	if msg := checkFixed(f, v.text); msg != "" {
		return fp.errorf(v.line, d, "%s", msg)
	}
	if e := ds.claim(f, d, t.line); e != nil {
		return e
	}
	ds.d.Fixed[f] = v.text
	if bsdOnly(f) {
		fp.p.ignored.add("field "+string(f), fp.src.name, t.line)
	}
	return nil
}

// checkFixed returns why value cannot be the constant of field f ("" if it
// can). The range of a fixed gid is checked once the ranges are known.
func checkFixed(f Field, v string) string {
	switch f {
	case FieldGroupMembers:
		return "groupmembers cannot be fixed: every group would get the same members"
	case FieldName, FieldUID, FieldGroupName, FieldGroupGID:
		return fmt.Sprintf("%s cannot be fixed: every entry would get the same %s", f, f)
	}
	if strings.ContainsAny(v, ":\n") {
		return fmt.Sprintf("%q holds ':' or a newline, which would corrupt a passwd/group line", v)
	}
	switch {
	case f == FieldGID:
		if !isDecimal(v) {
			return fmt.Sprintf("%q is not a decimal group id", v)
		}
	case isShadowField(f):
		if v != "" && !isDecimal(v) {
			return fmt.Sprintf("%q is not a number of days (or \"\" for an empty field)", v)
		}
	case f == FieldHome || f == FieldShell:
		if !strings.HasPrefix(v, "/") {
			return fmt.Sprintf("%q is not an absolute path", v)
		}
	}
	return ""
}

func isDecimal(s string) bool {
	return s != "" && len(s) <= 10 && strings.Trim(s, "0123456789") == ""
}

// MembersAreDNs reports whether group members are entry DNs (RFC 2307bis
// `member`, or `uniqueMember` of groupOfUniqueNames) that the refresher
// resolves to user names, rather than user names (RFC 2307 `memberUid`).
func (d *Directory) MembersAreDNs() bool {
	a := strings.ToLower(d.List[FieldGroupMembers])
	return a == "member" || a == "uniquemember"
}
