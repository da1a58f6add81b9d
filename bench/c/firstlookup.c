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
 * Output: "median_ns V", "p90_ns V", "hwm_kb V" (median), "found N/RUNS".
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

static long vm_hwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int child(const char *t0s, const char *name)
{
	struct passwd *pw = getpwnam(name);
	uint64_t t1 = now_ns();
	uint64_t t0 = strtoull(t0s, NULL, 10);
	printf("%llu %ld %d\n", (unsigned long long)(t1 - t0), vm_hwm_kb(), pw != NULL);
	return 0;
}

static int run_one(const char *self, const char *name, uint64_t *ns, long *hwm, int *found)
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
	if (n <= 0 || sscanf(buf, "%llu %ld %d", &v, hwm, found) != 3)
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
	struct samples t, h;
	if (runs < 1 || samples_init(&t, runs) != 0 || samples_init(&h, runs) != 0)
		return 2;
	char self[4096];
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0)
		return 2;
	self[sl] = 0;
	long found = 0;
	for (long i = 0; i < runs; i++) {
		uint64_t ns;
		long hwm;
		int f;
		if (run_one(self, argv[2], &ns, &hwm, &f) != 0) {
			fprintf(stderr, "firstlookup: run %ld failed\n", i);
			return 1;
		}
		samples_add(&t, ns);
		samples_add(&h, (uint64_t)hwm);
		found += f;
	}
	printf("median_ns\t%llu\n", (unsigned long long)samples_quantile(&t, 0.5));
	printf("p90_ns\t%llu\n", (unsigned long long)samples_quantile(&t, 0.9));
	printf("hwm_kb\t%llu\n", (unsigned long long)samples_quantile(&h, 0.5));
	printf("found\t%ld/%ld\n", found, runs);
	return 0;
}
