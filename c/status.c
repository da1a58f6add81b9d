/*
 * status.c — the one place where an outcome becomes an NSS status + errno.
 *
 * glibc's contract (nss/getXXbyYY_r.c passes &errno as errnop):
 *   found      -> NSS_STATUS_SUCCESS, errno untouched
 *   absent     -> NSS_STATUS_NOTFOUND, ENOENT (also the end of an enumeration)
 *   short buf  -> NSS_STATUS_TRYAGAIN, ERANGE (never EAGAIN: glibc retries
 *                 with a bigger buffer only on ERANGE)
 *   no cache   -> NSS_STATUS_UNAVAIL, ENOENT, so nsswitch.conf falls through
 *   no memory  -> NSS_STATUS_TRYAGAIN, ENOMEM
 */
#include <errno.h>

#include "ldapidm.h"

enum nss_status ldi_status(enum ldi_outcome o, int *errnop)
{
	switch (o) {
	case LDI_FOUND:
		return NSS_STATUS_SUCCESS;
	case LDI_ABSENT:
		*errnop = ENOENT;
		return NSS_STATUS_NOTFOUND;
	case LDI_ERANGE:
		*errnop = ERANGE;
		return NSS_STATUS_TRYAGAIN;
	case LDI_ENOMEM:
		*errnop = ENOMEM;
		return NSS_STATUS_TRYAGAIN;
	case LDI_UNAVAIL:
	default:
		*errnop = ENOENT;
		return NSS_STATUS_UNAVAIL;
	}
}

/* Maps an SQLite error from prepare or step. Anything but an allocation
 * failure means the file cannot be trusted (corrupt, truncated, not a
 * database): UNAVAIL, never a crash or a partial answer. */
enum ldi_outcome ldi_sqlite_outcome(int rc)
{
	if ((rc & 0xff) == SQLITE_NOMEM)
		return LDI_ENOMEM;
	return LDI_UNAVAIL;
}
