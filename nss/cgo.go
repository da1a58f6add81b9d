package nss

// The only file that imports "C".
//
// The module's C sources are compiled into this package through the
// symlinks c_*.c and ldapidm.h (-> ../c/): the very files c/Makefile links
// into libnss_ldapidm.so.2. Symlinks rather than a module.c that #includes
// ../c/*.c because the go command's build cache hashes only files inside
// the package directory: an edit to an #included ../c file was silently
// not rebuilt (seen while writing these tests). Keep the c_*.c links in
// step with SRCS in c/Makefile. Here SQLite is the process's shared
// libsqlite3 (also used by mattn/go-sqlite3); the module never configures
// SQLite, its options are compile-time ones (c/sqlite.mk).
//
// Each raw* function makes exactly one call
// into the module with a C-allocated struct and buffer of the given size
// and returns the NSS status, the errno the module reported, and the entry
// copied into Go memory when the status is success. Retrying on ERANGE is
// plain Go (lookup.go).

/*
#cgo CFLAGS: -std=gnu11 -D_GNU_SOURCE -pthread -Wno-unused-parameter
#cgo LDFLAGS: -lsqlite3 -pthread
#include <stdlib.h>
#include "module.h"

enum { OP_NAME, OP_ID, OP_ENT };

static int ldi_go_pw(int op, const char *name, unsigned id, struct passwd *r, char *buf, size_t len, int *e)
{
	switch (op) {
	case OP_NAME: return _nss_ldapidm_getpwnam_r(name, r, buf, len, e);
	case OP_ID: return _nss_ldapidm_getpwuid_r(id, r, buf, len, e);
	default: return _nss_ldapidm_getpwent_r(r, buf, len, e);
	}
}

static int ldi_go_gr(int op, const char *name, unsigned id, struct group *r, char *buf, size_t len, int *e)
{
	switch (op) {
	case OP_NAME: return _nss_ldapidm_getgrnam_r(name, r, buf, len, e);
	case OP_ID: return _nss_ldapidm_getgrgid_r(id, r, buf, len, e);
	default: return _nss_ldapidm_getgrent_r(r, buf, len, e);
	}
}

static int ldi_go_sp(int op, const char *name, struct spwd *r, char *buf, size_t len, int *e)
{
	if (op == OP_NAME)
		return _nss_ldapidm_getspnam_r(name, r, buf, len, e);
	return _nss_ldapidm_getspent_r(r, buf, len, e);
}

static int ldi_go_setent(int m)
{
	return m == 0 ? _nss_ldapidm_setpwent(0) : m == 1 ? _nss_ldapidm_setgrent(0) : _nss_ldapidm_setspent(0);
}

static void ldi_go_endent(int m)
{
	if (m == 0) _nss_ldapidm_endpwent(); else if (m == 1) _nss_ldapidm_endgrent(); else _nss_ldapidm_endspent();
}

static char *ldi_go_mem(char **v, int i) { return v[i]; }

static int ldi_go_initgroups(const char *u, gid_t skip, long *start, long *size, gid_t **g, long limit, int *e)
{
	return _nss_ldapidm_initgroups_dyn(u, skip, start, size, g, limit, e);
}
*/
import "C"

import (
	"syscall"
	"unsafe"
)

// status is an enum nss_status value.
type status int

const (
	statusTryAgain status = C.NSS_STATUS_TRYAGAIN
	statusUnavail  status = C.NSS_STATUS_UNAVAIL
	statusNotFound status = C.NSS_STATUS_NOTFOUND
	statusSuccess  status = C.NSS_STATUS_SUCCESS
)

// op selects the keyed or enumerating entry point of a map.
type op int

const (
	byName op = C.OP_NAME
	byID   op = C.OP_ID
	next   op = C.OP_ENT
)

// mapID names a map for set/end of an enumeration.
type mapID int

const (
	mapPasswd mapID = 0
	mapGroup  mapID = 1
	mapShadow mapID = 2
)

func cSetCacheDir(dir string) {
	if dir == "" {
		C.ldi_set_cache_dir(nil)
		return
	}
	c := C.CString(dir)
	defer C.free(unsafe.Pointer(c))
	C.ldi_set_cache_dir(c)
}

func cRecheck() { C.ldi_recheck() }

func cname(o op, name string) *C.char {
	if o != byName {
		return nil
	}
	return C.CString(name)
}

func rawPasswd(o op, name string, id uint32, size int) (status, syscall.Errno, Passwd) {
	n := cname(o, name)
	defer C.free(unsafe.Pointer(n))
	r := (*C.struct_passwd)(C.calloc(1, C.sizeof_struct_passwd))
	defer C.free(unsafe.Pointer(r))
	buf := (*C.char)(C.malloc(C.size_t(max(size, 1))))
	defer C.free(unsafe.Pointer(buf))
	var e C.int
	st := status(C.ldi_go_pw(C.int(o), n, C.uint(id), r, buf, C.size_t(size), &e))
	if st != statusSuccess {
		return st, syscall.Errno(e), Passwd{}
	}
	return st, 0, Passwd{
		Name: C.GoString(r.pw_name), Passwd: C.GoString(r.pw_passwd),
		UID: uint32(r.pw_uid), GID: uint32(r.pw_gid),
		Gecos: C.GoString(r.pw_gecos), Dir: C.GoString(r.pw_dir), Shell: C.GoString(r.pw_shell),
	}
}

func rawGroup(o op, name string, id uint32, size int) (status, syscall.Errno, Group) {
	n := cname(o, name)
	defer C.free(unsafe.Pointer(n))
	r := (*C.struct_group)(C.calloc(1, C.sizeof_struct_group))
	defer C.free(unsafe.Pointer(r))
	buf := (*C.char)(C.malloc(C.size_t(max(size, 1))))
	defer C.free(unsafe.Pointer(buf))
	var e C.int
	st := status(C.ldi_go_gr(C.int(o), n, C.uint(id), r, buf, C.size_t(size), &e))
	if st != statusSuccess {
		return st, syscall.Errno(e), Group{}
	}
	g := Group{Name: C.GoString(r.gr_name), Passwd: C.GoString(r.gr_passwd), GID: uint32(r.gr_gid), Members: []string{}}
	for i := 0; ; i++ {
		m := C.ldi_go_mem(r.gr_mem, C.int(i))
		if m == nil {
			break
		}
		g.Members = append(g.Members, C.GoString(m))
	}
	return st, 0, g
}

func rawShadow(o op, name string, size int) (status, syscall.Errno, Shadow) {
	n := cname(o, name)
	defer C.free(unsafe.Pointer(n))
	r := (*C.struct_spwd)(C.calloc(1, C.sizeof_struct_spwd))
	defer C.free(unsafe.Pointer(r))
	buf := (*C.char)(C.malloc(C.size_t(max(size, 1))))
	defer C.free(unsafe.Pointer(buf))
	var e C.int
	st := status(C.ldi_go_sp(C.int(o), n, r, buf, C.size_t(size), &e))
	if st != statusSuccess {
		return st, syscall.Errno(e), Shadow{}
	}
	return st, 0, Shadow{
		Name: C.GoString(r.sp_namp), Passwd: C.GoString(r.sp_pwdp),
		LastChange: int64(r.sp_lstchg), Min: int64(r.sp_min), Max: int64(r.sp_max),
		Warn: int64(r.sp_warn), Inactive: int64(r.sp_inact), Expire: int64(r.sp_expire),
		Flag: uint64(r.sp_flag),
	}
}

func rawSetEnt(m mapID) status { return status(C.ldi_go_setent(C.int(m))) }

func rawEndEnt(m mapID) { C.ldi_go_endent(C.int(m)) }

// rawInitgroups calls initgroups_dyn with a C array of initial capacity
// size (which the module may grow) and the given limit.
func rawInitgroups(user string, skip uint32, size, limit int) (status, syscall.Errno, []uint32) {
	u := C.CString(user)
	defer C.free(unsafe.Pointer(u))
	arr := (*C.gid_t)(C.malloc(C.size_t(max(size, 1)) * C.sizeof_gid_t))
	start, csize := C.long(0), C.long(size)
	var e C.int
	st := status(C.ldi_go_initgroups(u, C.gid_t(skip), &start, &csize, &arr, C.long(limit), &e))
	defer C.free(unsafe.Pointer(arr))
	out := make([]uint32, 0, int(start))
	for _, g := range unsafe.Slice(arr, int(start)) {
		out = append(out, uint32(g))
	}
	return st, syscall.Errno(e), out
}
