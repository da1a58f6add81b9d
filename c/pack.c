/*
 * pack.c — copying one row into the caller's struct and buffer.
 *
 * glibc's contract, enforced here: compute the whole size first; if it does
 * not fit, return LDI_ERANGE having written nothing — not the struct, not a
 * byte of the buffer — so the caller can retry with a bigger one. Otherwise
 * copy, and point every string field into the buffer. gr_mem is a
 * NULL-terminated pointer array placed at a pointer-aligned address inside
 * the buffer (aligned relative to the buffer's address, not its start).
 *
 * A row that breaks the schema (NULL text, non-integer or out-of-range ids)
 * is corruption: LDI_UNAVAIL, never a made-up answer.
 */
#include <stdint.h>
#include <string.h>

#include "ldapidm.h"

struct text {
	const char *p;
	size_t n;
};

/* Each column is fetched once with sqlite3_column_value and read with the
 * sqlite3_value_* accessors: every sqlite3_column_* call pays the
 * statement's column look-up, a mutex call and an error check, and those
 * calls (two or three per field) were ~25% of an enumeration. Measured at
 * 100,000 users (setpwent..endpwent, best of 20, with enum.c's walk cache):
 * column_text+column_bytes 26.6 ms, column_value 23.3 ms. SQLite calls the
 * value "unprotected" (not thread-safe to read): it is read here under the
 * slot or walk mutex that owns the NOMUTEX connection, before the next
 * step, and never kept. */
static int get_text(sqlite3_stmt *st, int col, struct text *t)
{
	/* value_text before value_bytes, as SQLite requires. NULL means SQL
	 * NULL or no memory: neither is a field we can return. */
	sqlite3_value *v = sqlite3_column_value(st, col);

	t->p = (const char *)sqlite3_value_text(v);
	if (t->p == NULL)
		return -1;
	t->n = (size_t)sqlite3_value_bytes(v);
	return 0;
}

/* uid_t/gid_t: 0 .. 2^32-2 ((uid_t)-1 means "no id" to the kernel). */
static int get_id(sqlite3_stmt *st, int col, uint32_t *id)
{
	sqlite3_int64 v;

	sqlite3_value *val = sqlite3_column_value(st, col);

	if (sqlite3_value_type(val) != SQLITE_INTEGER)
		return -1;
	v = sqlite3_value_int64(val);
	if (v < 0 || v > 4294967294LL)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static char *put(char *dst, const struct text *t)
{
	memcpy(dst, t->p, t->n);
	dst[t->n] = '\0';
	return dst + t->n + 1;
}

enum ldi_outcome ldi_pack_pw(sqlite3_stmt *st, void *ctx)
{
	struct ldi_pw_out *out = ctx;
	struct text f[5]; /* name, passwd, gecos, dir, shell */
	static const int col[5] = { 0, 1, 4, 5, 6 };
	uint32_t uid, gid;
	size_t need = 0;
	char *p = out->buf;

	for (int i = 0; i < 5; i++) {
		if (get_text(st, col[i], &f[i]) != 0)
			return LDI_UNAVAIL;
		need += f[i].n + 1;
	}
	if (get_id(st, 2, &uid) != 0 || get_id(st, 3, &gid) != 0)
		return LDI_UNAVAIL;
	if (need > out->len)
		return LDI_ERANGE;

	out->pw->pw_name = p;
	p = put(p, &f[0]);
	out->pw->pw_passwd = p;
	p = put(p, &f[1]);
	out->pw->pw_gecos = p;
	p = put(p, &f[2]);
	out->pw->pw_dir = p;
	p = put(p, &f[3]);
	out->pw->pw_shell = p;
	put(p, &f[4]);
	out->pw->pw_uid = uid;
	out->pw->pw_gid = gid;
	return LDI_FOUND;
}

enum ldi_outcome ldi_pack_gr(sqlite3_stmt *st, void *ctx)
{
	struct ldi_gr_out *out = ctx;
	struct text name, pw, mem;
	uint32_t gid;
	size_t nmem = 0, pad, need;
	char **vec, *p;

	if (get_text(st, 0, &name) != 0 || get_text(st, 1, &pw) != 0 || get_text(st, 3, &mem) != 0 ||
	    get_id(st, 2, &gid) != 0)
		return LDI_UNAVAIL;
	/* members is "a,b,c" or "" (no members). Count it here rather than
	 * trusting grp.nmembers: a wrong count in the file must not become a
	 * write past the pointer array. */
	if (mem.n > 0) {
		nmem = 1;
		for (const char *c = memchr(mem.p, ',', mem.n); c != NULL;
		     c = memchr(c + 1, ',', mem.n - (size_t)(c + 1 - mem.p)))
			nmem++;
	}
	pad = (size_t)(-(uintptr_t)out->buf & (sizeof(char *) - 1));
	need = pad + (nmem + 1) * sizeof(char *) + name.n + 1 + pw.n + 1 + (mem.n > 0 ? mem.n + 1 : 0);
	if (need > out->len)
		return LDI_ERANGE;

	vec = (char **)(void *)(out->buf + pad);
	p = (char *)(vec + nmem + 1);
	out->gr->gr_name = p;
	p = put(p, &name);
	out->gr->gr_passwd = p;
	p = put(p, &pw);
	if (mem.n > 0) {
		size_t k = 0;
		char *end;

		vec[k++] = p;
		end = put(p, &mem) - 1;
		for (; p < end; p++) {
			if (*p == ',') {
				*p = '\0';
				vec[k++] = p + 1;
			}
		}
	}
	vec[nmem] = NULL;
	out->gr->gr_mem = vec;
	out->gr->gr_gid = gid;
	return LDI_FOUND;
}

/* Empty shadow(5) numeric field: SQL NULL -> -1, as glibc's parser does. */
static long sp_num(sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return -1;
	return (long)sqlite3_column_int64(st, col);
}

enum ldi_outcome ldi_pack_sp(sqlite3_stmt *st, void *ctx)
{
	struct ldi_sp_out *out = ctx;
	struct text name, pw;
	char *p = out->buf;

	if (get_text(st, 0, &name) != 0 || get_text(st, 1, &pw) != 0)
		return LDI_UNAVAIL;
	if (name.n + 1 + pw.n + 1 > out->len)
		return LDI_ERANGE;

	out->sp->sp_namp = p;
	p = put(p, &name);
	out->sp->sp_pwdp = p;
	put(p, &pw);
	out->sp->sp_lstchg = sp_num(st, 2);
	out->sp->sp_min = sp_num(st, 3);
	out->sp->sp_max = sp_num(st, 4);
	out->sp->sp_warn = sp_num(st, 5);
	out->sp->sp_inact = sp_num(st, 6);
	out->sp->sp_expire = sp_num(st, 7);
	out->sp->sp_flag = sqlite3_column_type(st, 8) == SQLITE_NULL ? ~0UL : (unsigned long)sqlite3_column_int64(st, 8);
	return LDI_FOUND;
}
