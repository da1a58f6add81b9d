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
 *
 * Three sources feed the same copying code (emit_*): a SQLite row
 * (ldi_pack_*, every lookup but getpwnam_r and getpwuid_r on version 3,
 * and enumeration of a version 1 cache), one entry of a packed block
 * (ldi_unpack_*, enumeration from version 2 on), and the entry matching
 * the key in a name or uid bucket (ldi_bucket_pw, getpwnam_r and
 * getpwuid_r on version 3). The formats are in ldapidm.h and
 * cache/schema_main.sql. A block or bucket comes from a file we do not
 * trust to be well formed: every length is checked against the bytes
 * left in the blob before anything is read through it, and every field
 * must end in the NUL the format puts there (the copy takes the field
 * with its NUL, so a string handed to glibc is always terminated inside
 * the caller's buffer). Any mismatch is LDI_UNAVAIL.
 */
#include <stdint.h>
#include <string.h>

#include "ldapidm.h"

struct text {
	const char *p;
	size_t n;
};

/* What an entry is made of, whichever source it came from. The strings
 * are arrays in a packed entry's field order, so split() fills them in
 * place. */
struct pw_fields {
	struct text f[5]; /* name, passwd, gecos, dir, shell */
	uint32_t uid, gid;
};
struct gr_fields {
	struct text f[3]; /* name, passwd, members (names joined by ',') */
	uint32_t gid;
};
struct sp_fields {
	struct text f[2];   /* name, passwd */
	long num[6];        /* lastchg, min, max, warn, inact, expire; -1 empty */
	unsigned long flag; /* ~0UL empty */
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

/* uid_t/gid_t: 0 .. 2^32-2 ((uid_t)-1 means "no id" to the kernel).
 * Shared with initgroups.c (ldapidm.h). */
int ldi_column_id(sqlite3_stmt *st, int col, uint32_t *id)
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

/* The emit_* functions are inlined into both of their callers: left as
 * calls, getgrnam_r of the 5,000-member group went from 35 to 44 us
 * (nssbench, 100,000 users, 3 runs each, same minute). */
#define LDI_EMIT static inline __attribute__((always_inline))

static char *put(char *dst, const struct text *t)
{
	memcpy(dst, t->p, t->n);
	dst[t->n] = '\0';
	return dst + t->n + 1;
}

LDI_EMIT enum ldi_outcome emit_pw(const struct pw_fields *e, struct ldi_pw_out *out)
{
	size_t need = 0;
	char *p = out->buf;

	for (int i = 0; i < 5; i++)
		need += e->f[i].n + 1;
	if (need > out->len)
		return LDI_ERANGE;
	out->pw->pw_name = p;
	p = put(p, &e->f[0]);
	out->pw->pw_passwd = p;
	p = put(p, &e->f[1]);
	out->pw->pw_gecos = p;
	p = put(p, &e->f[2]);
	out->pw->pw_dir = p;
	p = put(p, &e->f[3]);
	out->pw->pw_shell = p;
	put(p, &e->f[4]);
	out->pw->pw_uid = e->uid;
	out->pw->pw_gid = e->gid;
	return LDI_FOUND;
}

LDI_EMIT enum ldi_outcome emit_gr(const struct gr_fields *e, struct ldi_gr_out *out)
{
	const struct text *name = &e->f[0], *pw = &e->f[1], *mem = &e->f[2];
	size_t nmem = 0, pad, need;
	const char *c, *mend = mem->p + mem->n;
	char **vec, *p;

	/* members is "a,b,c" or "" (no members). Count it here rather than
	 * trusting a stored count: a wrong count in the file must not become
	 * a write past the pointer array. */
	if (mem->n > 0) {
		nmem = 1;
		for (c = memchr(mem->p, ',', mem->n); c != NULL; c = memchr(c + 1, ',', (size_t)(mend - c - 1)))
			nmem++;
	}
	pad = (size_t)(-(uintptr_t)out->buf & (sizeof(char *) - 1));
	need = pad + (nmem + 1) * sizeof(char *) + name->n + 1 + pw->n + 1 + (mem->n > 0 ? mem->n + 1 : 0);
	if (need > out->len)
		return LDI_ERANGE;

	vec = (char **)(void *)(out->buf + pad);
	p = (char *)(vec + nmem + 1);
	out->gr->gr_name = p;
	p = put(p, name);
	out->gr->gr_passwd = p;
	p = put(p, pw);
	if (mem->n > 0) {
		size_t k = 0;
		char *end;

		vec[k++] = p;
		end = put(p, mem) - 1;
		for (; p < end; p++) {
			if (*p == ',') {
				*p = '\0';
				vec[k++] = p + 1;
			}
		}
	}
	vec[nmem] = NULL;
	out->gr->gr_mem = vec;
	out->gr->gr_gid = e->gid;
	return LDI_FOUND;
}

LDI_EMIT enum ldi_outcome emit_sp(const struct sp_fields *e, struct ldi_sp_out *out)
{
	const struct text *name = &e->f[0], *pw = &e->f[1];
	char *p = out->buf;

	if (name->n + 1 + pw->n + 1 > out->len)
		return LDI_ERANGE;
	out->sp->sp_namp = p;
	p = put(p, name);
	out->sp->sp_pwdp = p;
	put(p, pw);
	out->sp->sp_lstchg = e->num[0];
	out->sp->sp_min = e->num[1];
	out->sp->sp_max = e->num[2];
	out->sp->sp_warn = e->num[3];
	out->sp->sp_inact = e->num[4];
	out->sp->sp_expire = e->num[5];
	out->sp->sp_flag = e->flag;
	return LDI_FOUND;
}

/* ---- SQLite rows ---- */

enum ldi_outcome ldi_pack_pw(sqlite3_stmt *st, void *ctx)
{
	static const int col[5] = { 0, 1, 4, 5, 6 };
	struct pw_fields e;

	for (int i = 0; i < 5; i++)
		if (get_text(st, col[i], &e.f[i]) != 0)
			return LDI_UNAVAIL;
	if (ldi_column_id(st, 2, &e.uid) != 0 || ldi_column_id(st, 3, &e.gid) != 0)
		return LDI_UNAVAIL;
	return emit_pw(&e, ctx);
}

enum ldi_outcome ldi_pack_gr(sqlite3_stmt *st, void *ctx)
{
	struct gr_fields e;

	if (get_text(st, 0, &e.f[0]) != 0 || get_text(st, 1, &e.f[1]) != 0 || get_text(st, 3, &e.f[2]) != 0 ||
	    ldi_column_id(st, 2, &e.gid) != 0)
		return LDI_UNAVAIL;
	return emit_gr(&e, ctx);
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
	struct sp_fields e;

	if (get_text(st, 0, &e.f[0]) != 0 || get_text(st, 1, &e.f[1]) != 0)
		return LDI_UNAVAIL;
	for (int i = 0; i < 6; i++)
		e.num[i] = sp_num(st, 2 + i);
	e.flag = sqlite3_column_type(st, 8) == SQLITE_NULL ? ~0UL : (unsigned long)sqlite3_column_int64(st, 8);
	return emit_sp(&e, ctx);
}

/* ---- packed block entries (format: ldapidm.h, LDI_BLK_*) ---- */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int64_t le64(const unsigned char *p)
{
	return (int64_t)((uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32);
}

uint32_t ldi_blk_count(const unsigned char *p)
{
	return le32(p);
}

/* Splits the entry at p: nnum bytes of numbers (left where they are, at
 * p, for the caller to read), nf u32 lengths, then nf strings each
 * followed by a NUL, written to f[0..nf-1]. Returns 0 and sets *used to
 * the entry's size, or -1 when the entry does not fit in the avail bytes
 * left in the blob or a field lacks its NUL (*used untouched, f partly
 * written). Every length is compared with what is left before it is
 * added, so no sum can wrap and nothing is read past p + avail. */
static int split(const unsigned char *p, size_t avail, size_t nnum, int nf, struct text *f, size_t *used)
{
	size_t hdr = nnum + 4 * (size_t)nf, left;
	const unsigned char *s;

	if (avail < hdr)
		return -1;
	left = avail - hdr;
	s = p + hdr;
	for (int i = 0; i < nf; i++) {
		size_t n = le32(p + nnum + 4 * (size_t)i);
		if (n >= left || s[n] != '\0')
			return -1;
		f[i].p = (const char *)s;
		f[i].n = n;
		s += n + 1;
		left -= n + 1;
	}
	*used = (size_t)(s - p);
	return 0;
}

/* A uid/gid from a block, with the same range as ldi_column_id. */
static int blk_id(const unsigned char *p, uint32_t *id)
{
	*id = le32(p);
	return *id == UINT32_MAX ? -1 : 0;
}

/* One passwd entry of a block or bucket into *e; 0, or -1 if malformed. */
static int pw_entry(const unsigned char *p, size_t avail, struct pw_fields *e, size_t *used)
{
	if (split(p, avail, LDI_BLK_PW_NUM, 5, e->f, used) != 0 || blk_id(p, &e->uid) != 0 ||
	    blk_id(p + 4, &e->gid) != 0)
		return -1;
	return 0;
}

enum ldi_outcome ldi_unpack_pw(const unsigned char *p, size_t avail, size_t *used, void *ctx)
{
	struct pw_fields e;

	if (pw_entry(p, avail, &e, used) != 0)
		return LDI_UNAVAIL;
	return ctx == NULL ? LDI_FOUND : emit_pw(&e, ctx);
}

enum ldi_outcome ldi_unpack_gr(const unsigned char *p, size_t avail, size_t *used, void *ctx)
{
	struct gr_fields e;

	if (split(p, avail, LDI_BLK_GR_NUM, 3, e.f, used) != 0 || blk_id(p, &e.gid) != 0)
		return LDI_UNAVAIL;
	return ctx == NULL ? LDI_FOUND : emit_gr(&e, ctx);
}

enum ldi_outcome ldi_unpack_sp(const unsigned char *p, size_t avail, size_t *used, void *ctx)
{
	struct sp_fields e;

	if (split(p, avail, LDI_BLK_SP_NUM, 2, e.f, used) != 0)
		return LDI_UNAVAIL;
	for (int i = 0; i < 6; i++)
		e.num[i] = (long)le64(p + 8 * i);
	e.flag = (unsigned long)le64(p + 48);
	return ctx == NULL ? LDI_FOUND : emit_sp(&e, ctx);
}

/* ---- name and uid buckets (schema version 3: passwd_name, passwd_uid;
 * ldapidm.h) ---- */

/* Whether entry e is the one key asks for: its name byte for byte, or its
 * uid. The only difference between the two lookups; everything else in
 * the walk is shared, so both tables get the same hostile-input checks. */
static int key_matches(const struct ldi_pw_key *k, const struct pw_fields *e)
{
	if (k->name == NULL)
		return e->uid == k->uid;
	return e->f[0].n == k->len && memcmp(e->f[0].p, k->name, k->len) == 0;
}

/* The bucket is checked whole before anything is copied, exactly as a
 * walk checks a block (enum.c: block_load, next_block): a BLOB of at least
 * 4 bytes, a count >= 1, every entry in bounds with its NULs (pw_entry, as
 * ldi_unpack_pw), nothing after the last. Stopping at the first match
 * would let a damaged tail go unnoticed and make the answer depend on
 * where the key sits. Each loop consumes at least one entry header, so
 * a huge count ends at the blob's end. A key found twice breaks the
 * writer's contract (names, uids distinct within a bucket): UNAVAIL rather
 * than pick one. The match is copied by emit_pw, so the buffer boundaries
 * and ERANGE are those of the row path (ldi_pack_pw). */
enum ldi_outcome ldi_bucket_pw(sqlite3_stmt *st, void *ctx)
{
	const struct ldi_pw_key *k = ctx;
	sqlite3_value *v = sqlite3_column_value(st, 0);
	const unsigned char *b;
	struct pw_fields e, hit = { 0 }; /* hit: set with found (gcc cannot tell) */
	size_t n, off = 4, used;
	uint32_t count;
	int found = 0;

	if (sqlite3_value_type(v) != SQLITE_BLOB)
		return LDI_UNAVAIL;
	b = sqlite3_value_blob(v);
	n = (size_t)sqlite3_value_bytes(v);
	if (b == NULL || n < 4)
		return LDI_UNAVAIL;
	count = le32(b);
	if (count == 0)
		return LDI_UNAVAIL;
	for (uint32_t i = 0; i < count; i++) {
		if (pw_entry(b + off, n - off, &e, &used) != 0)
			return LDI_UNAVAIL;
		if (key_matches(k, &e)) {
			if (found)
				return LDI_UNAVAIL;
			found = 1;
			hit = e;
		}
		off += used;
	}
	if (off != n)
		return LDI_UNAVAIL;
	return found ? emit_pw(&hit, k->out) : LDI_ABSENT;
}
