/* firstlookup.c — the cost of the first user lookup in a freshly exec'd
 * process: program start, glibc reading nsswitch.conf, loading the module,
 * the module opening its data, and one getpwnam().
 *
 * Usage: firstlookup RUNS NAME   (parent: prints "LABEL-less" TSV lines)
 *        firstlookup --child T0 NAME   (internal)
 *
 * The parent forks RUNS times; each child reads CLOCK_MONOTONIC right
 * before execve() and hands it to the new image in argv, so the interval
 * measured is exec → getpwnam() returned, module load included and fork()
 * excluded. The child then reports its peak RSS (VmHWM) and whether the
 * user was found. Which module answers is decided by /etc/nsswitch.conf,
 * which run.sh bind-mounts privately inside a mount namespace.
 *
 * Output: "median_ns V", "p90_ns V", then medians of "hwm_kb" (VmHWM),
 * "anon_kb" and "file_kb" (RssAnon, RssFile after the lookup: file-backed
 * pages include the module's own text and any mmap'd cache pages it
 * touched), and "found N/RUNS".
 */
#define _GNU_SOURCE
#include "measure.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* mem: peak RSS, and the current split of RSS into anonymous memory (heap,
 * stacks) and file-backed pages (mapped libraries, a mmap'd cache file). */
struct mem {
	long hwm, anon, file;
};

static void read_mem(struct mem *m)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	m->hwm = m->anon = m->file = -1;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "VmHWM: %ld kB", &m->hwm);
		sscanf(line, "RssAnon: %ld kB", &m->anon);
		sscanf(line, "RssFile: %ld kB", &m->file);
	}
	fclose(f);
}

static int child(const char *t0s, const char *name)
{
	struct passwd *pw = getpwnam(name);
	uint64_t t1 = now_ns();
	uint64_t t0 = strtoull(t0s, NULL, 10);
	struct mem m;
	read_mem(&m);
	printf("%llu %ld %ld %ld %d\n", (unsigned long long)(t1 - t0), m.hwm, m.anon, m.file,
	       pw != NULL);
	return 0;
}

static int run_one(const char *self, const char *name, uint64_t *ns, struct mem *m, int *found)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char t0[32];
		dup2(p[1], 1);
		snprintf(t0, sizeof t0, "%llu", (unsigned long long)now_ns());
		char *argv[] = {(char *)self, "--child", t0, (char *)name, NULL};
		execv(self, argv);
		_exit(127);
	}
	close(p[1]);
	char buf[128] = {0};
	ssize_t n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	unsigned long long v;
	if (n <= 0 || sscanf(buf, "%llu %ld %ld %ld %d", &v, &m->hwm, &m->anon, &m->file, found) != 5)
		return -1;
	*ns = v;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		return child(argv[2], argv[3]);
	if (argc != 3) {
		fprintf(stderr, "usage: firstlookup RUNS NAME\n");
		return 2;
	}
	long runs = atol(argv[1]);
	struct samples t, h, an, fi;
	if (runs < 1 || samples_init(&t, runs) != 0 || samples_init(&h, runs) != 0 ||
	    samples_init(&an, runs) != 0 || samples_init(&fi, runs) != 0)
		return 2;
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0)
		return 2;
	self[sl] = 0;
	long found = 0;
	for (long i = 0; i < runs; i++) {
		uint64_t ns;
		struct mem m;
		int f;
		if (run_one(self, argv[2], &ns, &m, &f) != 0) {
			fprintf(stderr, "firstlookup: run %ld failed\n", i);
			return 1;
		}
		samples_add(&t, ns);
		samples_add(&h, (uint64_t)m.hwm);
		samples_add(&an, (uint64_t)m.anon);
		samples_add(&fi, (uint64_t)m.file);
		found += f;
	}
	printf("median_ns\t%llu\n", (unsigned long long)samples_quantile(&t, 0.5));
	printf("p90_ns\t%llu\n", (unsigned long long)samples_quantile(&t, 0.9));
	printf("hwm_kb\t%llu\n", (unsigned long long)samples_quantile(&h, 0.5));
	printf("anon_kb\t%llu\n", (unsigned long long)samples_quantile(&an, 0.5));
	printf("file_kb\t%llu\n", (unsigned long long)samples_quantile(&fi, 0.5));
	printf("found\t%ld/%ld\n", found, runs);
	return 0;
}
