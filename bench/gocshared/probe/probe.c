/*
 * probe: what an NSS module does to the process that loads it.
 *
 *   probe MODULE.so SERVICE load           threads, address space and signal
 *                                          handlers before and after the first
 *                                          lookup
 *   probe MODULE.so SERVICE fork N T       T threads look up while the parent
 *                                          forks N children that look up; a
 *                                          child still running after 5 s hung
 *                                          (the parent kills it)
 *   probe MODULE.so SERVICE forkgc N       single-threaded parent; each child
 *                                          does 2,000 lookups (enough to make
 *                                          a Go runtime collect)
 *
 * Users are u1..u1000 (the Go control module synthesises them; run.sh builds
 * an ldapidm cache holding them). Output is one "key=value" line per result.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);
static getpwnam_fn getpwnam_p;
static atomic_int stop;

static int lookup(int i)
{
	char name[32], buf[1024];
	struct passwd pw;
	int err = 0;
	snprintf(name, sizeof name, "u%d", 1 + i % 1000);
	if (getpwnam_p(name, &pw, buf, sizeof buf, &err) != NSS_STATUS_SUCCESS)
		return -1;
	return strcmp(pw.pw_name, name) == 0 ? 0 : -1;
}

static long status_field(const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	if (f)
		fclose(f);
	return v;
}

static void load(const char *path, const char *svc)
{
	struct sigaction before[65], after;
	int sig, changed = 0;
	for (sig = 1; sig < 65; sig++)
		sigaction(sig, NULL, &before[sig]);
	long th0 = status_field("Threads"), vm0 = status_field("VmSize"), rss0 = status_field("VmRSS");
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		printf("load=failed error=\"%s\"\n", dlerror());
		exit(1);
	}
	char sym[128];
	snprintf(sym, sizeof sym, "_nss_%s_getpwnam_r", svc);
	getpwnam_p = (getpwnam_fn)dlsym(h, sym);
	if (!getpwnam_p) {
		printf("load=failed error=\"no %s\"\n", sym);
		exit(1);
	}
	int ok = lookup(0) == 0;
	for (sig = 1; sig < 65; sig++) {
		if (sigaction(sig, NULL, &after) != 0)
			continue;
		if (after.sa_handler != before[sig].sa_handler)
			changed++;
	}
	printf("first_lookup=%s threads_added=%ld vmsize_added_kb=%ld rss_added_kb=%ld handlers_replaced=%d\n",
	       ok ? "ok" : "FAILED", status_field("Threads") - th0, status_field("VmSize") - vm0,
	       status_field("VmRSS") - rss0, changed);
}

static void *spin(void *arg)
{
	(void)arg;
	for (int i = 0; !atomic_load(&stop); i++)
		lookup(i);
	return NULL;
}

/* Forks n children in batches of up to 50; each looks up `per` names and
 * exits 0 (1 on a wrong answer). The parent keeps the clock: a child wedged
 * inside a runtime may never act on a signal of its own, so whatever is still
 * running 5 s after its batch started is killed and counted as hung. */
static void forks(int n, int threads, int per)
{
	pthread_t t[64];
	pid_t pids[50];
	int i, hung = 0, wrong = 0, ok = 0;
	for (i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	for (int done = 0; done < n;) {
		int batch = n - done < 50 ? n - done : 50, live = 0;
		for (i = 0; i < batch; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				for (int j = 0; j < per; j++)
					if (lookup(j) != 0)
						_exit(1);
				_exit(0);
			}
			pids[i] = pid;
			if (pid < 0)
				wrong++;
			else
				live++;
		}
		for (int ms = 0; live > 0 && ms < 5000; ms++) {
			for (i = 0; i < batch; i++) {
				int st;
				if (pids[i] <= 0 || waitpid(pids[i], &st, WNOHANG) != pids[i])
					continue;
				pids[i] = 0;
				live--;
				if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
					ok++;
				else
					wrong++;
			}
			usleep(1000);
		}
		for (i = 0; i < batch; i++) {
			if (pids[i] <= 0)
				continue;
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
			hung++;
		}
		done += batch;
	}
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	printf("children=%d ok=%d hung=%d wrong=%d parent_threads=%d\n", n, ok, hung, wrong, threads);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: probe MODULE SERVICE load|fork N T|forkgc N\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	load(argv[1], argv[2]);
	if (strcmp(argv[3], "fork") == 0 && argc == 6)
		forks(atoi(argv[4]), atoi(argv[5]), 20);
	else if (strcmp(argv[3], "forkgc") == 0 && argc == 5)
		forks(atoi(argv[4]), 0, 2000);
	return 0;
}
