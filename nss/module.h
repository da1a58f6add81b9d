/*
 * module.h — prototypes of the module's entry points for cgo.go. The .so
 * gets them from glibc's dlsym by name; here Go calls them directly.
 */
#ifndef LDAPIDM_NSS_MODULE_H
#define LDAPIDM_NSS_MODULE_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <shadow.h>
#include <stddef.h>

enum nss_status _nss_ldapidm_getpwnam_r(const char *, struct passwd *, char *, size_t, int *);
enum nss_status _nss_ldapidm_getpwuid_r(uid_t, struct passwd *, char *, size_t, int *);
enum nss_status _nss_ldapidm_setpwent(int);
enum nss_status _nss_ldapidm_getpwent_r(struct passwd *, char *, size_t, int *);
enum nss_status _nss_ldapidm_endpwent(void);
enum nss_status _nss_ldapidm_getgrnam_r(const char *, struct group *, char *, size_t, int *);
enum nss_status _nss_ldapidm_getgrgid_r(gid_t, struct group *, char *, size_t, int *);
enum nss_status _nss_ldapidm_setgrent(int);
enum nss_status _nss_ldapidm_getgrent_r(struct group *, char *, size_t, int *);
enum nss_status _nss_ldapidm_endgrent(void);
enum nss_status _nss_ldapidm_getspnam_r(const char *, struct spwd *, char *, size_t, int *);
enum nss_status _nss_ldapidm_setspent(int);
enum nss_status _nss_ldapidm_getspent_r(struct spwd *, char *, size_t, int *);
enum nss_status _nss_ldapidm_endspent(void);
enum nss_status _nss_ldapidm_initgroups_dyn(const char *, gid_t, long *, long *, gid_t **, long, int *);
void ldi_set_cache_dir(const char *dir);
void ldi_recheck(void);

#endif
