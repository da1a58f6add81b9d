/*
 * erange.c — every entry point, from a 1-byte buffer upward.
 *
 * For each size: the module must answer TRYAGAIN + ERANGE having touched
 * neither the struct nor a byte of the buffer, until the first size that
 * fits; from there SUCCESS with exactly the expected entry, every string
 * inside [buf, buf+size), gr_mem pointer-aligned, nothing written past
 * size, and the caller's errno unchanged (the module reports via *errnop).
 * The buffer is placed at every misalignment 0..7 in turn. Enumerations
 * too: after ERANGE the retry must return the same entry. Also
 * initgroups_dyn growth from capacity 1 and its limit.
 *
 * Usage: OUT=<out dir> LDAPIDM_CACHE_DIR=<cache> LDAPIDM_EXPECT=<text> erange
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define GUARD 64
#define FILLB 0xA5
#define FILLS 0x5A

static struct module M;
static struct map PW, GR, SP, IG;
static unsigned char *arena;
static size_t arena_len;
static long calls;

/* What one attempt looks like to the checker. */
enum kind { K_PW, K_GR, K_SP };
struct attempt {
	enum kind kind;
	const char *what;
	/* Makes one call; fills the struct at r. */
	enum nss_status (*call)(void *r, char *buf, size_t len, int *e, const void *key);
	const void *key;
};

static enum nss_status c_pwnam(void *r, char *b, size_t l, int *e, const void *k) { return M.getpwnam_r(k, r, b, l, e); }
static enum nss_status c_pwuid(void *r, char *b, size_t l, int *e, const void *k) { return M.getpwuid_r(*(const uid_t *)k, r, b, l, e); }
static enum nss_status c_grnam(void *r, char *b, size_t l, int *e, const void *k) { return M.getgrnam_r(k, r, b, l, e); }
static enum nss_status c_grgid(void *r, char *b, size_t l, int *e, const void *k) { return M.getgrgid_r(*(const gid_t *)k, r, b, l, e); }
static enum nss_status c_spnam(void *r, char *b, size_t l, int *e, const void *k) { return M.getspnam_r(k, r, b, l, e); }
static enum nss_status c_pwent(void *r, char *b, size_t l, int *e, const void *k) { return M.getpwent_r(r, b, l, e); }
static enum nss_status c_grent(void *r, char *b, size_t l, int *e, const void *k) { return M.getgrent_r(r, b, l, e); }
static enum nss_status c_spent(void *r, char *b, size_t l, int *e, const void *k) { return M.getspent_r(r, b, l, e); }

static int all(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static int inside(const char *s, const char *buf, size_t len)
{
	return s >= buf && s + strlen(s) < buf + len;
}

/* Runs a from size 1 until it fits; checks every step; returns the size. */
static size_t grow(const struct attempt *a, const char *want)
{
	union {
		struct passwd pw;
		struct group gr;
		struct spwd sp;
	} r;
	char got[1 << 17];

	for (size_t size = 1;; size++) {
		size_t mis = size % 8;
		char *buf;
		int e = 0xbeef;
		enum nss_status st;

		if (size + GUARD + 8 > arena_len)
			die("%s: no fit below %zu bytes", a->what, size);
		buf = (char *)arena + mis;
		/* Filling the whole buffer at every size would be quadratic for
		 * the 5,000-member group; the head, the tail and the guard are
		 * filled (and checked) always, everything every 61st size. */
		if (size < 4096 || size % 61 == 0) {
			memset(arena, FILLB, size + GUARD + 8);
		} else {
			memset(buf, FILLB, 256);
			memset(buf + size - 256, FILLB, 256 + GUARD);
		}
		memset(&r, FILLS, sizeof(r));
		errno = 4242;
		st = a->call(&r, buf, size, &e, a->key);
		calls++;
		if (errno != 4242)
			die("%s at %zu: errno changed to %d", a->what, size, errno);
		if (st == NSS_STATUS_TRYAGAIN) {
			if (e != ERANGE)
				die("%s at %zu: TRYAGAIN with errno %d, want ERANGE", a->what, size, e);
			if (!all((unsigned char *)&r, sizeof(r), FILLS))
				die("%s at %zu: struct touched on ERANGE", a->what, size);
			if (!all((unsigned char *)buf, size < 256 ? size : 256, FILLB) ||
			    !all((unsigned char *)buf + size - (size < 256 ? size : 256), (size < 256 ? size : 256) + GUARD, FILLB) ||
			    ((size < 4096 || size % 61 == 0) && !all((unsigned char *)buf, size + GUARD, FILLB)))
				die("%s at %zu: buffer touched on ERANGE", a->what, size);
			continue;
		}
		if (st != NSS_STATUS_SUCCESS)
			die("%s at %zu: %s errno %d", a->what, size, status_name(st), e);
		if (!all((unsigned char *)buf + size, GUARD, FILLB))
			die("%s at %zu: wrote past the buffer", a->what, size);
		switch (a->kind) {
		case K_PW:
			if (!inside(r.pw.pw_name, buf, size) || !inside(r.pw.pw_passwd, buf, size) ||
			    !inside(r.pw.pw_gecos, buf, size) || !inside(r.pw.pw_dir, buf, size) ||
			    !inside(r.pw.pw_shell, buf, size))
				die("%s: a string points outside the buffer", a->what);
			fmt_pw(&r.pw, got, sizeof(got));
			break;
		case K_GR:
			if ((uintptr_t)r.gr.gr_mem % sizeof(char *) != 0)
				die("%s: gr_mem %p not pointer-aligned", a->what, (void *)r.gr.gr_mem);
			if ((char *)r.gr.gr_mem < buf || (char *)r.gr.gr_mem >= buf + size)
				die("%s: gr_mem outside the buffer", a->what);
			for (char **m = r.gr.gr_mem; *m != NULL; m++)
				if (!inside(*m, buf, size))
					die("%s: a member points outside the buffer", a->what);
			if (!inside(r.gr.gr_name, buf, size) || !inside(r.gr.gr_passwd, buf, size))
				die("%s: a string points outside the buffer", a->what);
			fmt_gr(&r.gr, got, sizeof(got));
			break;
		case K_SP:
			if (!inside(r.sp.sp_namp, buf, size) || !inside(r.sp.sp_pwdp, buf, size))
				die("%s: a string points outside the buffer", a->what);
			fmt_sp(&r.sp, got, sizeof(got));
			break;
		}
		if (strcmp(got, want) != 0)
			die("%s at %zu:\n got %.200s\nwant %.200s", a->what, size, got, want);
		return size;
	}
}

static void keyed(void)
{
	static const char *const users[] = { "a", "host$", "Mixed.Case-name_9", "nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
					     "u00004", "u00005", "u00006", "u00007", "u00100" };
	static const char *const groups[] = { "big", "empty", "solo", "g000", "g001" };
	size_t maxfit = 0;

	for (size_t i = 0; i < sizeof(users) / sizeof(*users); i++) {
		const struct entry *pw = map_find(&PW, users[i]), *sp = map_find(&SP, users[i]);
		uid_t uid;
		if ((pw == NULL || sp == NULL) && i < 8)
			die("fixture lacks %s", users[i]);
		if (pw == NULL || sp == NULL)
			continue; /* a small fixture (the valgrind run) */
		uid = (uid_t)pw->id;
		struct attempt a1 = { K_PW, "getpwnam_r", c_pwnam, users[i] };
		struct attempt a2 = { K_PW, "getpwuid_r", c_pwuid, &uid };
		struct attempt a3 = { K_SP, "getspnam_r", c_spnam, users[i] };
		grow(&a1, pw->line);
		grow(&a2, pw->line);
		grow(&a3, sp->line);
	}
	for (size_t i = 0; i < sizeof(groups) / sizeof(*groups); i++) {
		const struct entry *gr = map_find(&GR, groups[i]);
		gid_t gid;
		size_t n;
		if (gr == NULL)
			die("fixture lacks group %s", groups[i]);
		gid = (gid_t)gr->id;
		struct attempt a1 = { K_GR, "getgrnam_r", c_grnam, groups[i] };
		struct attempt a2 = { K_GR, "getgrgid_r", c_grgid, &gid };
		n = grow(&a1, gr->line);
		if (n > maxfit)
			maxfit = n;
		grow(&a2, gr->line);
	}
	printf("keyed: ok (largest group needed %zu bytes)\n", maxfit);
}

static void walk(const char *what, enum kind k, enum nss_status (*set)(int), enum nss_status (*end)(void),
		 enum nss_status (*call)(void *, char *, size_t, int *, const void *), const struct map *m)
{
	struct attempt a = { k, what, call, NULL };
	char dummy[64];
	int e = 0;

	if (set(0) != NSS_STATUS_SUCCESS)
		die("%s: setent failed", what);
	for (size_t i = 0; i < m->n; i++)
		grow(&a, m->e[i].line);
	for (int j = 0; j < 2; j++) {
		enum nss_status st = call(dummy, (char *)arena, 1 << 16, &e, NULL);
		if (st != NSS_STATUS_NOTFOUND || e != ENOENT)
			die("%s: after the last entry %s errno %d, want NOTFOUND/ENOENT", what, status_name(st), e);
	}
	end();
	printf("%s: ok (%zu entries)\n", what, m->n);
}

static void check_initgroups(void)
{
	for (size_t i = 0; i < IG.n; i += 97) {
		const char *line = IG.e[i].line;
		const char *name = IG.e[i].name;
		gid_t want[256];
		size_t nwant = 0;
		for (const char *p = line + strlen(name); *p; ) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);
			if (end == p)
				break;
			want[nwant++] = (gid_t)v;
			p = end;
		}
		for (long limit = 0; limit <= (long)nwant + 1; limit += (limit == 0 ? 1 : 2)) {
			long start = 0, size = 1;
			gid_t *g = malloc(sizeof(gid_t));
			int e = 0;
			enum nss_status st = M.initgroups_dyn(name, (gid_t)-1, &start, &size, &g, limit, &e);
			size_t expect = limit > 0 && (size_t)limit < nwant ? (size_t)limit : nwant;
			if (nwant == 0 ? st != NSS_STATUS_NOTFOUND : st != NSS_STATUS_SUCCESS)
				die("initgroups %s limit %ld: %s", name, limit, status_name(st));
			if ((size_t)start != expect || (limit > 0 && size > limit) || size < start)
				die("initgroups %s limit %ld: start %ld size %ld, want %zu", name, limit, start, size, expect);
			for (size_t k = 0; k < expect; k++)
				if (g[k] != want[k])
					die("initgroups %s: gid[%zu] = %u, want %u", name, k, (unsigned)g[k], (unsigned)want[k]);
			free(g);
		}
	}
	printf("initgroups_dyn: ok\n");
}

int main(void)
{
	const char *dir = expect_dir();

	module_load(&M);
	map_load(&PW, dir, "passwd", 2);
	map_load(&GR, dir, "group", 2);
	map_load(&SP, dir, "shadow", 0);
	map_load(&IG, dir, "initgroups", -1);
	arena_len = 1 << 20;
	arena = malloc(arena_len);
	keyed();
	walk("getpwent_r", K_PW, M.setpwent, M.endpwent, c_pwent, &PW);
	walk("getgrent_r", K_GR, M.setgrent, M.endgrent, c_grent, &GR);
	walk("getspent_r", K_SP, M.setspent, M.endspent, c_spent, &SP);
	check_initgroups();
	printf("erange: ok (%ld calls)\n", calls);
	return 0;
}
