/*
 * fork.c — keeping the module safe across fork().
 *
 * The danger: fork() copies only the calling thread. If another thread held
 * one of our mutexes, or was inside SQLite holding one of SQLite's own
 * (allocator, page cache), the child inherits a lock nobody will release
 * and its first lookup hangs forever. This is exactly how Go NSS modules
 * hang forked children (golang/go#15538); a plain-C module is not immune.
 *
 * The fix, registered once (pthread_once in dir.c):
 *  - prepare: take every module lock in the one fixed order used everywhere
 *    (enumeration walks, then slots 0..N-1, then the directory lock). Every
 *    SQLite call of this module is made while holding a walk or slot lock,
 *    so once prepare holds them all no thread is inside our SQLite: SQLite's
 *    internal mutexes are free at the instant of fork. (Our SQLite is linked
 *    privately into the .so; the host cannot be inside it.)
 *  - parent: release them.
 *  - child: refresh the cached pid, then release them. Every connection
 *    records the pid that opened it; ldi_conn_ready closes a connection
 *    whose pid differs before anything uses it, and opens a fresh one. The
 *    close only frees memory and closes the child's copies of the fds (no
 *    POSIX locks exist with immutable=1), and it runs with SQLite's mutexes
 *    free for the reason above — so the parent's connection is never *used*
 *    in the child, only disposed of.
 *
 * A child that execs never runs any of this: fds are O_CLOEXEC.
 */
#include <pthread.h>
#include <sched.h>

#include "ldapidm.h"

/* Set while a fork is being prepared. Without it prepare can starve: the
 * slot mutexes are not fair, and busy lookup threads re-take a slot the
 * instant they release it (measured: ~65 ms per fork with 4 looping
 * threads). New lookups wait at ldi_enter() instead.
 *
 * forker is the thread running fork(), written before forking is set
 * (release) and read only after forking is seen set (acquire). That thread
 * must never wait at the gate or take a module lock between our prepare
 * and our parent/child handlers: it holds every lock itself, and glibc runs
 * other libraries' handlers there too — prepare handlers registered before
 * ours run after it, parent/child handlers registered before ours run
 * before ours release. A lookup from one of those (a library resolving a
 * user in its atfork handler) would spin or self-deadlock forever; instead
 * it gets UNAVAIL and nsswitch.conf falls through. In the child the one
 * thread left is the forker (same pthread_t), so the same test holds. */
static int forking;
static pthread_t forker;

/* Every entry into the module's state passes here: one-time setup (which
 * registers the fork handlers), then the fork gate. */
int ldi_enter(void)
{
	ldi_init();
	while (__atomic_load_n(&forking, __ATOMIC_ACQUIRE)) {
		if (pthread_equal(__atomic_load_n(&forker, __ATOMIC_RELAXED), pthread_self()))
			return -1;
		sched_yield();
	}
	return 0;
}

static void prepare(void)
{
	__atomic_store_n(&forker, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&forking, 1, __ATOMIC_RELEASE);
	ldi_enum_lock_all();
	ldi_pool_lock_all();
	ldi_dir_lock();
}

static void parent(void)
{
	ldi_dir_unlock();
	ldi_pool_unlock_all();
	ldi_enum_unlock_all();
	__atomic_store_n(&forking, 0, __ATOMIC_RELEASE);
}

static void child(void)
{
	ldi_pid_refresh();
	ldi_dir_unlock();
	ldi_pool_unlock_all();
	ldi_enum_unlock_all();
	__atomic_store_n(&forking, 0, __ATOMIC_RELEASE);
}

void ldi_fork_register(void)
{
	/* Failure (ENOMEM) leaves the module working for processes that do not
	 * fork while another thread looks up; nothing better is possible here. */
	(void)pthread_atfork(prepare, parent, child);
}
