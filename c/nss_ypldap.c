/*
 * nss_ypldap.c — the NSS entry points of service "ldapidm".
 *
 * glibc finds these by name (_nss_<service>_<function>) after dlopen of
 * libnss_ldapidm.so.2; they are the only symbols the version script
 * exports. Each saves errno on entry and restores it before reporting
 * through *errnop — glibc passes &errno as errnop, so the restore comes
 * first and the report last. Statuses come from ldi_status() only.
 *
 * Nothing here prints, exits, or calls getpwnam, getgrgid or any other NSS
 * function (a module that resolves names through NSS recurses into itself).
 */
#include <errno.h>
#include <pthread.h>

#include "ldapidm.h"

/* Cancellation is disabled inside every entry point: open(), pread() and
 * friends are cancellation points, and a thread cancelled there would
 * unwind holding a slot or walk mutex — every later fork() (whose prepare
 * handler takes all of them) and eventually every lookup would block
 * forever. glibc's own modules use non-cancellable syscalls for the same
 * reason. The state is restored before returning. */
#define BEGIN                                                          \
	int saved_errno_ = errno, saved_cancel_;                       \
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &saved_cancel_)
#define END(o)                                 \
	do {                                   \
		enum ldi_outcome o_ = (o);     \
		pthread_setcancelstate(saved_cancel_, NULL); \
		errno = saved_errno_;          \
		return ldi_status(o_, errnop); \
	} while (0)
/* set/end have no errnop; they restore errno and report a status. */
#define END_NOERR(o)                             \
	do {                                     \
		int e_;                          \
		enum ldi_outcome o_ = (o);       \
		pthread_setcancelstate(saved_cancel_, NULL); \
		errno = saved_errno_;            \
		return ldi_status(o_, &e_);      \
	} while (0)

LDI_EXPORT enum nss_status _nss_ldapidm_getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len,
						   int *errnop)
{
	BEGIN;
	struct ldi_pw_out out = { pw, buf, len };
	END(name == NULL ? LDI_ABSENT : ldi_lookup_pwnam(name, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len,
						   int *errnop)
{
	BEGIN;
	struct ldi_pw_out out = { pw, buf, len };
	END(uid == (uid_t)-1 ? LDI_ABSENT : ldi_lookup_pwuid(uid, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_setpwent(int stayopen)
{
	BEGIN;
	(void)stayopen;
	END_NOERR(ldi_enum_set(LDI_MAP_PW));
}

LDI_EXPORT enum nss_status _nss_ldapidm_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop)
{
	BEGIN;
	struct ldi_pw_out out = { pw, buf, len };
	END(ldi_enum_next(LDI_MAP_PW, ldi_pack_pw, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_endpwent(void)
{
	BEGIN;
	ldi_enum_end(LDI_MAP_PW);
	END_NOERR(LDI_FOUND);
}

LDI_EXPORT enum nss_status _nss_ldapidm_getgrnam_r(const char *name, struct group *gr, char *buf, size_t len,
						   int *errnop)
{
	BEGIN;
	struct ldi_gr_out out = { gr, buf, len };
	END(name == NULL ? LDI_ABSENT : ldi_lookup_text(LDI_Q_GRNAM, name, ldi_pack_gr, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len,
						   int *errnop)
{
	BEGIN;
	struct ldi_gr_out out = { gr, buf, len };
	END(gid == (gid_t)-1 ? LDI_ABSENT : ldi_lookup_int(LDI_Q_GRGID, gid, ldi_pack_gr, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_setgrent(int stayopen)
{
	BEGIN;
	(void)stayopen;
	END_NOERR(ldi_enum_set(LDI_MAP_GR));
}

LDI_EXPORT enum nss_status _nss_ldapidm_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop)
{
	BEGIN;
	struct ldi_gr_out out = { gr, buf, len };
	END(ldi_enum_next(LDI_MAP_GR, ldi_pack_gr, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_endgrent(void)
{
	BEGIN;
	ldi_enum_end(LDI_MAP_GR);
	END_NOERR(LDI_FOUND);
}

LDI_EXPORT enum nss_status _nss_ldapidm_getspnam_r(const char *name, struct spwd *sp, char *buf, size_t len,
						   int *errnop)
{
	BEGIN;
	struct ldi_sp_out out = { sp, buf, len };
	END(name == NULL ? LDI_ABSENT : ldi_lookup_text(LDI_Q_SPNAM, name, ldi_pack_sp, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_setspent(int stayopen)
{
	BEGIN;
	(void)stayopen;
	END_NOERR(ldi_enum_set(LDI_MAP_SP));
}

LDI_EXPORT enum nss_status _nss_ldapidm_getspent_r(struct spwd *sp, char *buf, size_t len, int *errnop)
{
	BEGIN;
	struct ldi_sp_out out = { sp, buf, len };
	END(ldi_enum_next(LDI_MAP_SP, ldi_pack_sp, &out));
}

LDI_EXPORT enum nss_status _nss_ldapidm_endspent(void)
{
	BEGIN;
	ldi_enum_end(LDI_MAP_SP);
	END_NOERR(LDI_FOUND);
}

/*
 * Status when the user is in none of our groups: NSS_STATUS_NOTFOUND, as
 * glibc 2.36's own nss_files does (files-initgroups.c returns NOTFOUND when
 * status is SUCCESS but nothing was added). It matters for the walk: with
 * the default action SUCCESS=return, answering SUCCESS with nothing added
 * would stop "group: ldapidm files" before files could add its groups.
 * Reaching limit is still SUCCESS (something was added).
 */
LDI_EXPORT enum nss_status _nss_ldapidm_initgroups_dyn(const char *user, gid_t skipgroup, long *start,
						       long *size, gid_t **groupsp, long limit, int *errnop)
{
	BEGIN;
	struct ldi_groups_out g = { skipgroup, start, size, groupsp, limit, 0 };
	enum ldi_outcome o;

	if (user == NULL || start == NULL || size == NULL || groupsp == NULL)
		END(LDI_ABSENT);
	if (limit > 0 && *start >= limit)
		END(LDI_ABSENT); /* full already: nothing added, as nss_files */
	o = ldi_lookup_each(LDI_Q_MEMBER, user, ldi_add_group, &g);
	if (o == LDI_FOUND && g.added == 0)
		o = LDI_ABSENT;
	END(o);
}
