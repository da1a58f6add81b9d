#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

const char *status_name(enum nss_status s)
{
	switch (s) {
	case NSS_STATUS_TRYAGAIN: return "TRYAGAIN";
	case NSS_STATUS_UNAVAIL: return "UNAVAIL";
	case NSS_STATUS_NOTFOUND: return "NOTFOUND";
	case NSS_STATUS_SUCCESS: return "SUCCESS";
	case NSS_STATUS_RETURN: return "RETURN";
	}
	return "?";
}

const char *expect_dir(void)
{
	const char *d = getenv("LDAPIDM_EXPECT");
	if (d == NULL) {
		fprintf(stderr, "LDAPIDM_EXPECT is not set\n");
		exit(2);
	}
	return d;
}

#define SYM(name)                                                     \
	do {                                                          \
		*(void **)&m->name = dlsym(m->h, "_nss_ldapidm_" #name); \
		if (m->name == NULL)                                  \
			die("missing symbol _nss_ldapidm_%s", #name); \
	} while (0)

void module_load(struct module *m)
{
	const char *out = getenv("OUT");
	char path[4096];

	if (out == NULL) {
		fprintf(stderr, "OUT is not set\n");
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/libnss_ldapidm.so.2", out);
	m->h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (m->h == NULL)
		die("dlopen %s: %s", path, dlerror());
	SYM(getpwnam_r);
	SYM(getpwuid_r);
	SYM(setpwent);
	SYM(getpwent_r);
	SYM(endpwent);
	SYM(getgrnam_r);
	SYM(getgrgid_r);
	SYM(setgrent);
	SYM(getgrent_r);
	SYM(endgrent);
	SYM(getspnam_r);
	SYM(setspent);
	SYM(getspent_r);
	SYM(endspent);
	SYM(initgroups_dyn);
}

void map_load(struct map *m, const char *dir, const char *file, int idfield)
{
	char path[4096], *line = NULL;
	size_t cap = 0, alloc = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (f == NULL)
		die("open %s", path);
	m->e = NULL;
	m->n = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct entry *e;
		char *p;

		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (m->n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			m->e = realloc(m->e, alloc * sizeof(*m->e));
		}
		e = &m->e[m->n++];
		e->line = strdup(line);
		e->name = strndup(line, strcspn(line, idfield < 0 ? " " : ":"));
		e->id = 0;
		if (idfield > 0) {
			p = line;
			for (int i = 0; i < idfield && p != NULL; i++) {
				p = strchr(p, ':');
				if (p != NULL)
					p++;
			}
			if (p != NULL)
				e->id = strtoul(p, NULL, 10);
		}
	}
	free(line);
	fclose(f);
}

const struct entry *map_find(const struct map *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->e[i].name, name) == 0)
			return &m->e[i];
	return NULL;
}

struct probes pick_probes(const struct map *pw, const struct map *gr, const struct map *sp, const struct map *ig)
{
	struct probes p;

	if (pw->n == 0 || gr->n == 0 || sp->n == 0 || ig->n == 0)
		die("expectations empty");
	p.pw = &pw->e[pw->n / 2];
	p.gr = &gr->e[0];
	for (size_t i = 0; i < gr->n; i++)
		if (strlen(gr->e[i].line) > strlen(p.gr->line))
			p.gr = &gr->e[i];
	p.sp = &sp->e[sp->n / 3];
	p.ig = &ig->e[0];
	for (size_t i = 0; i < ig->n; i++)
		if (strlen(ig->e[i].line) - strlen(ig->e[i].name) > strlen(p.ig->line) - strlen(p.ig->name))
			p.ig = &ig->e[i];
	return p;
}

void fmt_pw(const struct passwd *p, char *out, size_t n)
{
	snprintf(out, n, "%s:%s:%u:%u:%s:%s:%s", p->pw_name, p->pw_passwd, (unsigned)p->pw_uid,
		 (unsigned)p->pw_gid, p->pw_gecos, p->pw_dir, p->pw_shell);
}

void fmt_gr(const struct group *g, char *out, size_t n)
{
	size_t o = (size_t)snprintf(out, n, "%s:%s:%u:", g->gr_name, g->gr_passwd, (unsigned)g->gr_gid);
	for (char **m = g->gr_mem; *m != NULL && o < n; m++)
		o += (size_t)snprintf(out + o, n - o, "%s%s", m == g->gr_mem ? "" : ",", *m);
}

void fmt_sp(const struct spwd *s, char *out, size_t n)
{
	long v[6] = { s->sp_lstchg, s->sp_min, s->sp_max, s->sp_warn, s->sp_inact, s->sp_expire };
	size_t o = (size_t)snprintf(out, n, "%s:%s:", s->sp_namp, s->sp_pwdp);

	for (int i = 0; i < 6 && o < n; i++) {
		if (v[i] == -1)
			o += (size_t)snprintf(out + o, n - o, ":");
		else
			o += (size_t)snprintf(out + o, n - o, "%ld:", v[i]);
	}
	if (s->sp_flag != ~0UL && o < n)
		snprintf(out + o, n - o, "%lu", s->sp_flag);
}
