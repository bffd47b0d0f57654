// SPDX-License-Identifier: GPL-2.0
/*
 * The fault benchmark's loop (pf1: anonymous private memory, one write per
 * page, MADV_DONTNEED after each pass) with no harness around it, to measure
 * what faultbench's runner costs.  Built ad hoc, not by make:
 *
 *   cc -O2 -o /tmp/rawloop tests/tools/rawloop.c
 *   /tmp/rawloop [seconds=3] [size=64M in MiB: 64] [cpu=0]
 *
 * It warms up for one second, then counts pages touched and the kernel's
 * page-fault count (getrusage) over the given time and prints both rates,
 * and pages per second of CPU time used (user + system), which a busy
 * machine disturbs less than the rate over wall time.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* CPU time used (user + system): on a busy machine a fairer base than wall time. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Passes of zap + touch until the deadline; returns pages touched. */
static uint64_t run(char *p, size_t len, double until)
{
	uint64_t pages = 0;

	while (now() < until) {
		madvise(p, len, MADV_DONTNEED);
		for (size_t off = 0; off < len; off += 4096)
			*(volatile char *)(p + off) = 1;
		pages += len / 4096;
	}
	return pages;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	size_t len = (argc > 2 ? strtoul(argv[2], NULL, 0) : 64) << 20;
	int cpu = argc > 3 ? atoi(argv[3]) : 0;
	size_t span = len + (2UL << 20);
	cpu_set_t set;
	double t0, t1, c0, c1;
	long f0, f1;
	uint64_t pages;
	char *res, *p;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
	/* 2 MiB aligned, MADV_NOHUGEPAGE: the same mapping faultbench makes for --page=4k */
	res = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return perror("mmap"), 1;
	p = (char *)(((uintptr_t)res + (2UL << 20) - 1) & ~((uintptr_t)(2UL << 20) - 1));
	madvise(p, len, MADV_NOHUGEPAGE);

	run(p, len, now() + 1);
	t0 = now();
	c0 = cpu_seconds();
	f0 = faults();
	pages = run(p, len, t0 + secs);
	t1 = now();
	c1 = cpu_seconds();
	f1 = faults();
	printf("pages/s %.0f faults/s %.0f pages/fault %.3f pages/cpu-s %.0f (%.2f s, %zu MiB, "
	       "cpu %d)\n",
	       pages / (t1 - t0), (f1 - f0) / (t1 - t0), (double)pages / (f1 - f0),
	       pages / (c1 - c0), t1 - t0, len >> 20, cpu);
	return 0;
}
