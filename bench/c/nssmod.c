/* nssmod.c — dlopen a module and call its entry points with glibc's buffer
 * protocol. See nssmod.h for the contract. */
#define _GNU_SOURCE
#include "nssmod.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A buffer is never grown past this: a module that keeps asking for more is
 * broken, and the benchmark reports the error instead of eating memory. */
#define NSSBUF_MAX (64u * 1024 * 1024)

int nssbuf_init(struct nssbuf *b)
{
	b->n = NSSBUF_START;
	b->p = malloc(b->n);
	return b->p ? 0 : -1;
}

/* grow doubles b after a TRYAGAIN/ERANGE answer; 0 when the caller should
 * retry the same call. */
static int grow(struct nssbuf *b, enum nss_status st, int err)
{
	if (st != NSS_STATUS_TRYAGAIN || err != ERANGE || b->n >= NSSBUF_MAX)
		return -1;
	char *p = realloc(b->p, b->n * 2);
	if (!p)
		return -1;
	b->p = p;
	b->n *= 2;
	return 0;
}

static void *sym(void *dl, const char *svc, const char *fn, int required)
{
	char name[128];
	snprintf(name, sizeof name, "_nss_%s_%s", svc, fn);
	void *p = dlsym(dl, name);
	if (!p && required)
		fprintf(stderr, "nssmod: %s: missing\n", name);
	return p;
}

int nssmod_open(struct nssmod *m, const char *path, const char *svc)
{
	memset(m, 0, sizeof *m);
	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		fprintf(stderr, "nssmod: dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	m->getpwnam_r = (pwnam_fn)sym(m->dl, svc, "getpwnam_r", 1);
	m->getpwuid_r = (pwuid_fn)sym(m->dl, svc, "getpwuid_r", 1);
	m->getgrnam_r = (grnam_fn)sym(m->dl, svc, "getgrnam_r", 1);
	m->setpwent = (setent_fn)sym(m->dl, svc, "setpwent", 1);
	m->getpwent_r = (pwent_fn)sym(m->dl, svc, "getpwent_r", 1);
	m->endpwent = (endent_fn)sym(m->dl, svc, "endpwent", 1);
	m->setgrent = (setent_fn)sym(m->dl, svc, "setgrent", 1);
	m->getgrent_r = (grent_fn)sym(m->dl, svc, "getgrent_r", 1);
	m->endgrent = (endent_fn)sym(m->dl, svc, "endgrent", 1);
	m->initgroups_dyn = (initgroups_fn)sym(m->dl, svc, "initgroups_dyn", 0);
	if (!m->getpwnam_r || !m->getpwuid_r || !m->getgrnam_r || !m->setpwent ||
	    !m->getpwent_r || !m->endpwent || !m->setgrent || !m->getgrent_r || !m->endgrent)
		return -1;
	return 0;
}

enum nss_status mod_getpwnam(const struct nssmod *m, const char *name, struct passwd *pw, struct nssbuf *b)
{
	for (;;) {
		int err = 0;
		enum nss_status st = m->getpwnam_r(name, pw, b->p, b->n, &err);
		if (grow(b, st, err) != 0)
			return st;
	}
}

enum nss_status mod_getpwuid(const struct nssmod *m, uid_t uid, struct passwd *pw, struct nssbuf *b)
{
	for (;;) {
		int err = 0;
		enum nss_status st = m->getpwuid_r(uid, pw, b->p, b->n, &err);
		if (grow(b, st, err) != 0)
			return st;
	}
}

enum nss_status mod_getgrnam(const struct nssmod *m, const char *name, struct group *gr, struct nssbuf *b)
{
	for (;;) {
		int err = 0;
		enum nss_status st = m->getgrnam_r(name, gr, b->p, b->n, &err);
		if (grow(b, st, err) != 0)
			return st;
	}
}

static int add_gid(gid_t **groups, long *size, long *n, gid_t g)
{
	for (long i = 0; i < *n; i++)
		if ((*groups)[i] == g)
			return 0;
	if (*n == *size) {
		gid_t *p = realloc(*groups, (size_t)*size * 2 * sizeof **groups);
		if (!p)
			return -1;
		*groups = p;
		*size *= 2;
	}
	(*groups)[(*n)++] = g;
	return 0;
}

/* scan_groups does what glibc's getgrouplist does for a module without
 * initgroups_dyn (compat_call in nss/initgroups.c): read every group with
 * getgrent_r and compare every member name with the user's. */
static long scan_groups(const struct nssmod *m, const char *user, gid_t primary,
			gid_t **groups, long *size, struct nssbuf *b)
{
	long n = 1;
	struct group gr;
	long rc = -1;
	if (m->setgrent(0) != NSS_STATUS_SUCCESS)
		return -1;
	for (;;) {
		int err = 0;
		enum nss_status st = m->getgrent_r(&gr, b->p, b->n, &err);
		if (st == NSS_STATUS_TRYAGAIN && err == ERANGE) {
			if (grow(b, st, err) != 0)
				break;
			continue;
		}
		if (st == NSS_STATUS_NOTFOUND) {
			rc = n;
			break;
		}
		if (st != NSS_STATUS_SUCCESS)
			break;
		if (gr.gr_gid == primary)
			continue;
		for (char **mem = gr.gr_mem; *mem; mem++) {
			if (strcmp(*mem, user) == 0) {
				if (add_gid(groups, size, &n, gr.gr_gid) != 0)
					goto out;
				break;
			}
		}
	}
out:
	m->endgrent();
	return rc;
}

long mod_grouplist(const struct nssmod *m, const char *user, gid_t primary,
		   gid_t **groups, long *size, struct nssbuf *b, const char **how)
{
	(*groups)[0] = primary;
	if (!m->initgroups_dyn) {
		*how = "getgrent scan";
		return scan_groups(m, user, primary, groups, size, b);
	}
	*how = "initgroups_dyn";
	long start = 1;
	int err = 0;
	enum nss_status st = m->initgroups_dyn(user, primary, &start, size, groups, -1, &err);
	if (st != NSS_STATUS_SUCCESS && st != NSS_STATUS_NOTFOUND)
		return -1;
	return start;
}

long mod_enum_users(const struct nssmod *m, struct nssbuf *b)
{
	struct passwd pw;
	long n = 0, rc = -1;
	if (m->setpwent(0) != NSS_STATUS_SUCCESS)
		return -1;
	for (;;) {
		int err = 0;
		enum nss_status st = m->getpwent_r(&pw, b->p, b->n, &err);
		if (st == NSS_STATUS_SUCCESS) {
			n++;
			continue;
		}
		if (st == NSS_STATUS_TRYAGAIN && err == ERANGE && grow(b, st, err) == 0)
			continue;
		if (st == NSS_STATUS_NOTFOUND)
			rc = n;
		break;
	}
	m->endpwent();
	return rc;
}
