/*
 * initgroups.c — appending one member row's gid for initgroups_dyn.
 *
 * glibc (grp/initgroups.c) hands every module the same array: *start is
 * the next free index, *size its capacity, limit > 0 caps both. We grow it
 * with realloc, doubling, never past limit; if realloc fails the old array
 * stays in *groupsp (realloc leaves it intact) and we report ENOMEM. glibc
 * removes duplicates across modules itself; we skip only skipgroup (the
 * user's primary gid, which the caller has already placed). The member
 * table's key (name, gid) means our own rows never repeat a gid.
 */
#include <stdint.h>
#include <stdlib.h>

#include "ldapidm.h"

enum ldi_outcome ldi_add_group(sqlite3_stmt *st, void *ctx)
{
	struct ldi_groups_out *g = ctx;
	uint32_t gid;

	if (ldi_column_id(st, 0, &gid) != 0)
		return LDI_UNAVAIL;
	if (gid == g->skip)
		return LDI_FOUND;

	if (*g->start >= *g->size) {
		long newsize;
		gid_t *p;

		if (g->limit > 0 && *g->size >= g->limit)
			return LDI_ABSENT; /* stop: the caller can take no more */
		newsize = *g->size > 0 ? 2 * *g->size : 16;
		if (g->limit > 0 && newsize > g->limit)
			newsize = g->limit;
		if ((unsigned long)newsize > SIZE_MAX / sizeof(gid_t))
			return LDI_ENOMEM;
		p = realloc(*g->groupsp, (size_t)newsize * sizeof(gid_t));
		if (p == NULL)
			return LDI_ENOMEM;
		*g->groupsp = p;
		*g->size = newsize;
	}
	(*g->groupsp)[(*g->start)++] = gid;
	g->added++;
	if (g->limit > 0 && *g->start >= g->limit)
		return LDI_ABSENT; /* full: stop stepping */
	return LDI_FOUND;
}
