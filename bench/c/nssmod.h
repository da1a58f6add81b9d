/* nssmod.h — one NSS module opened by path, called the way glibc calls it.
 *
 * The benchmark never goes through glibc's nsswitch for these numbers: it
 * dlopen()s the module and calls its _nss_<svc>_* entry points directly, so
 * that three modules are measured with the same code and no nscd, no
 * nsswitch.conf parsing and no fallthrough between services. Every call
 * starts with the caller's buffer and grows it (doubling) when the module
 * answers NSS_STATUS_TRYAGAIN with errno ERANGE, as glibc does.
 */
#ifndef BENCH_NSSMOD_H
#define BENCH_NSSMOD_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

typedef enum nss_status (*pwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*initgroups_fn)(const char *, gid_t, long *, long *, gid_t **, long, int *);

struct nssmod {
	void *dl;
	pwnam_fn getpwnam_r;
	pwuid_fn getpwuid_r;
	grnam_fn getgrnam_r;
	setent_fn setpwent;
	pwent_fn getpwent_r;
	endent_fn endpwent;
	setent_fn setgrent;
	grent_fn getgrent_r;
	endent_fn endgrent;
	initgroups_fn initgroups_dyn; /* NULL when the module has none */
};

/* A caller-owned buffer; grown on ERANGE and kept for the next call. */
struct nssbuf {
	char *p;
	size_t n;
};

#define NSSBUF_START (64 * 1024)

/* nssmod_open loads path and resolves _nss_<svc>_*. Returns 0, or -1 after
 * printing which symbol is missing (initgroups_dyn is optional). */
int nssmod_open(struct nssmod *m, const char *path, const char *svc);
int nssbuf_init(struct nssbuf *b);

enum nss_status mod_getpwnam(const struct nssmod *m, const char *name, struct passwd *pw, struct nssbuf *b);
enum nss_status mod_getpwuid(const struct nssmod *m, uid_t uid, struct passwd *pw, struct nssbuf *b);
enum nss_status mod_getgrnam(const struct nssmod *m, const char *name, struct group *gr, struct nssbuf *b);

/* mod_grouplist answers getgrouplist(user, primary): with initgroups_dyn
 * when the module has one, otherwise the way glibc does for a module without
 * it (setgrent, getgrent_r over every group scanning gr_mem, endgrent).
 * *groups (malloc'd, grown with realloc) receives primary first and then the
 * supplementary gids; returns their count, or -1 on a module error.
 * *how says which path ran ("initgroups_dyn" or "getgrent scan"). */
long mod_grouplist(const struct nssmod *m, const char *user, gid_t primary,
		   gid_t **groups, long *size, struct nssbuf *b, const char **how);

/* mod_enum_users walks setpwent/getpwent_r/endpwent; returns the number of
 * entries, or -1 on a module error. */
long mod_enum_users(const struct nssmod *m, struct nssbuf *b);

#endif
