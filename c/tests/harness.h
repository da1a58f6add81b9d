/*
 * harness.h — shared helpers for the C ABI harnesses: load the real
 * libnss_ldapidm.so.2 with dlopen, resolve its entry points by name (as
 * glibc does), load the expected maps written by mkcache (getent format),
 * and format what the module returns in the same format for comparison.
 */
#ifndef LDAPIDM_HARNESS_H
#define LDAPIDM_HARNESS_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <shadow.h>
#include <stddef.h>
#include <sys/types.h>

struct module {
	void *h;
	enum nss_status (*getpwnam_r)(const char *, struct passwd *, char *, size_t, int *);
	enum nss_status (*getpwuid_r)(uid_t, struct passwd *, char *, size_t, int *);
	enum nss_status (*setpwent)(int);
	enum nss_status (*getpwent_r)(struct passwd *, char *, size_t, int *);
	enum nss_status (*endpwent)(void);
	enum nss_status (*getgrnam_r)(const char *, struct group *, char *, size_t, int *);
	enum nss_status (*getgrgid_r)(gid_t, struct group *, char *, size_t, int *);
	enum nss_status (*setgrent)(int);
	enum nss_status (*getgrent_r)(struct group *, char *, size_t, int *);
	enum nss_status (*endgrent)(void);
	enum nss_status (*getspnam_r)(const char *, struct spwd *, char *, size_t, int *);
	enum nss_status (*setspent)(int);
	enum nss_status (*getspent_r)(struct spwd *, char *, size_t, int *);
	enum nss_status (*endspent)(void);
	enum nss_status (*initgroups_dyn)(const char *, gid_t, long *, long *, gid_t **, long, int *);
};

/* One expected entry: its key fields and its getent line. */
struct entry {
	char *name;
	unsigned long id;
	char *line;
};

struct map {
	struct entry *e;
	size_t n;
};

/* Loads $OUT/libnss_ldapidm.so.2 (or exits 2). */
void module_load(struct module *m);
/* Loads <dir>/<file>: getent-format lines; id is field idfield (0-based). */
void map_load(struct map *m, const char *dir, const char *file, int idfield);
/* Finds an entry by name (linear; for setup only). */
const struct entry *map_find(const struct map *m, const char *name);

/* The entries a harness probes each entry point with: a user from the
 * middle, the biggest group, a shadow entry a third in, and the user in
 * the most groups. Dies when a map is empty. */
struct probes {
	const struct entry *pw, *gr, *sp, *ig;
};
struct probes pick_probes(const struct map *pw, const struct map *gr, const struct map *sp, const struct map *ig);

/* getent-format lines (no newline) into out (size n). */
void fmt_pw(const struct passwd *p, char *out, size_t n);
void fmt_gr(const struct group *g, char *out, size_t n);
void fmt_sp(const struct spwd *s, char *out, size_t n);

/* Aborts the harness with a message (harness code, not the module). */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
const char *status_name(enum nss_status s);
/* The directory of expectations: $LDAPIDM_EXPECT (or exits 2). */
const char *expect_dir(void);

#endif
