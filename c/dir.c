/*
 * dir.c — process-wide state: which cache directory, the epochs that force
 * connections to re-validate, the cached pid, one-time initialisation.
 *
 * The directory is, in order: the override set by ldi_set_cache_dir() (only
 * the Go package nss/ calls it), else secure_getenv(LDAPIDM_CACHE_DIR) —
 * secure_getenv so that a setuid or setgid program (su, passwd, sudo) can
 * never be pointed at a cache its caller made — else /var/lib/ldapidm. A
 * relative directory is refused: it would depend on the caller's cwd.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ldapidm.h"

/* dir_mu guards override[]. It is the innermost module lock: it is taken
 * while a slot or enumeration lock is held (opening a file), never the
 * other way round; fork.c takes it last. */
static pthread_mutex_t dir_mu = PTHREAD_MUTEX_INITIALIZER;
static char override[PATH_MAX];
static int have_override; /* 1: override[] holds the dir; 2: bad override */

/* Read without a lock on every lookup, so atomics: an old value only delays
 * a reopen to the next call. */
static unsigned dir_epoch;
static unsigned check_epoch;
static pid_t cur_pid;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	__atomic_store_n(&cur_pid, getpid(), __ATOMIC_RELAXED);
	ldi_fork_register();
}

void ldi_init(void)
{
	pthread_once(&once, init_once);
}

void ldi_set_cache_dir(const char *dir)
{
	ldi_init();
	pthread_mutex_lock(&dir_mu);
	if (dir == NULL || dir[0] == '\0') {
		have_override = 0;
	} else if (strlen(dir) >= sizeof(override)) {
		have_override = 2;
	} else {
		strcpy(override, dir);
		have_override = 1;
	}
	pthread_mutex_unlock(&dir_mu);
	__atomic_add_fetch(&dir_epoch, 1, __ATOMIC_RELEASE);
}

void ldi_recheck(void)
{
	__atomic_add_fetch(&check_epoch, 1, __ATOMIC_RELEASE);
}

unsigned ldi_dir_epoch(void)
{
	return __atomic_load_n(&dir_epoch, __ATOMIC_ACQUIRE);
}

unsigned ldi_check_epoch(void)
{
	return __atomic_load_n(&check_epoch, __ATOMIC_ACQUIRE);
}

pid_t ldi_pid(void)
{
	return __atomic_load_n(&cur_pid, __ATOMIC_RELAXED);
}

/* Called in the child after fork (single-threaded there): connections whose
 * pid differs from this one belong to the parent. getpid() is a real syscall
 * in glibc >= 2.25, so lookups compare against this cached value instead. */
void ldi_pid_refresh(void)
{
	__atomic_store_n(&cur_pid, getpid(), __ATOMIC_RELAXED);
}

void ldi_dir_lock(void)
{
	pthread_mutex_lock(&dir_mu);
}

void ldi_dir_unlock(void)
{
	pthread_mutex_unlock(&dir_mu);
}

/* The configured directory, or NULL when none is usable (a bad override,
 * a relative path). Caller holds dir_mu. */
static const char *current(void)
{
	const char *d;

	if (have_override == 1) {
		d = override;
	} else if (have_override == 2) {
		d = NULL;
	} else {
		d = secure_getenv(LDI_ENV_DIR);
		if (d == NULL || d[0] == '\0')
			d = LDI_DEFAULT_DIR;
	}
	return d != NULL && d[0] == '/' ? d : NULL;
}

/* Builds, once per open, the directory as configured (not resolved: it may
 * go through symlinks) and the file's path in it, as one heap block
 * "<dir>\0<dir>/<base>\0": *dir is the block, *path its second string, and
 * free(*dir) frees both. The connection keeps them for its re-checks (db.c:
 * stale), which then need neither a buffer nor an allocation. LDI_UNAVAIL
 * when no directory is usable or the path would not fit PATH_MAX (as the
 * fixed buffers this replaced refused it), LDI_ENOMEM. */
enum ldi_outcome ldi_locate(enum ldi_file f, char **dir, char **path)
{
	static const char *const base[LDI_NFILES] = { "cache.db", "shadow.db" };
	size_t bn = strlen(base[f]), dn = 0;
	const char *d;
	char *p = NULL;

	pthread_mutex_lock(&dir_mu);
	d = current();
	if (d != NULL)
		dn = strlen(d);
	if (d != NULL && dn + 1 + bn < PATH_MAX && (p = malloc(2 * dn + bn + 3)) != NULL) {
		memcpy(p, d, dn + 1);
		memcpy(p + dn + 1, d, dn);
		p[2 * dn + 1] = '/';
		memcpy(p + 2 * dn + 2, base[f], bn + 1);
	}
	pthread_mutex_unlock(&dir_mu);
	if (d == NULL || dn + 1 + bn >= PATH_MAX)
		return LDI_UNAVAIL;
	if (p == NULL)
		return LDI_ENOMEM;
	*dir = p;
	*path = p + dn + 1;
	return LDI_FOUND;
}

/* Whether dir is still the configured directory. (ldi_set_cache_dir also
 * bumps the epoch; this catches the environment variable changing.) */
int ldi_dir_is(const char *dir)
{
	const char *d;
	int same;

	pthread_mutex_lock(&dir_mu);
	d = current();
	same = d != NULL && strcmp(d, dir) == 0;
	pthread_mutex_unlock(&dir_mu);
	return same;
}
