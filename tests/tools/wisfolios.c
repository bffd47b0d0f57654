// SPDX-License-Identifier: GPL-2.0
/*
 * will-it-scale's page_fault3 pattern on its own, to see the page-cache folios
 * it ends up with: a sparse file in DIR (ftruncate only), mapped MAP_SHARED,
 * one store per 4 KiB page, munmap and mmap again, for SECONDS; then pages/s
 * per second and, from /proc/self/pagemap and /proc/kpageflags (root), how
 * the mapped pages are held: order-0 folios, large-folio heads and tails.
 * faultbench's own folio report of a pf3 --backing=file run is compared with
 * this in docs/will-it-scale.md.
 *
 *   cc -O2 -o wisfolios tests/tools/wisfolios.c && ./wisfolios /tmp 5 128
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define KPF_DIRTY	  4
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void report_folios(const char *c, size_t len)
{
	int pm = open("/proc/self/pagemap", O_RDONLY), kf = open("/proc/kpageflags", O_RDONLY);
	size_t heads = 0, tails = 0, base = 0, dirty = 0, i;

	if (pm < 0 || kf < 0) {
		perror("pagemap/kpageflags (root needed)");
		return;
	}
	for (i = 0; i < len / 4096; i++) {
		uint64_t e, f;

		if (pread(pm, &e, 8, (off_t)(((uintptr_t)c / 4096 + i) * 8)) != 8 || !(e >> 63))
			continue;
		if (pread(kf, &f, 8, (off_t)((e & ((1ULL << 55) - 1)) * 8)) != 8)
			continue;
		if (f & (1ULL << KPF_COMPOUND_HEAD))
			heads++;
		else if (f & (1ULL << KPF_COMPOUND_TAIL))
			tails++;
		else
			base++;
		dirty += !!(f & (1ULL << KPF_DIRTY));
	}
	printf("mapped pages %zu: in order-0 folios %zu, large folios %zu (heads %zu), dirty %zu\n",
	       heads + tails + base, base, heads + tails, heads, dirty);
}

int main(int argc, char **argv)
{
	char path[4096];
	unsigned long long count = 0, last = 0;
	double t0, tl, t;
	size_t len, i;
	char *c;
	int fd, secs;

	if (argc != 4) {
		fprintf(stderr, "usage: %s DIR SECONDS MIB\n", argv[0]);
		return 2;
	}
	secs = atoi(argv[2]);
	len = (size_t)atoi(argv[3]) << 20;
	snprintf(path, sizeof(path), "%s/wisfolios.XXXXXX", argv[1]);
	fd = mkstemp(path);
	if (fd < 0 || ftruncate(fd, (off_t)len)) {
		perror(path);
		return 1;
	}
	unlink(path);
	c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	for (t0 = tl = now();;) {
		if (c == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
		for (i = 0; i < len; i += 4096, count++)
			c[i] = 0;
		t = now();
		if (t - tl >= 1) {
			printf("%.0f pages/s\n", (double)(count - last) / (t - tl));
			last = count;
			tl = t;
		}
		if (t - t0 > secs)
			break;
		munmap(c, len);
		c = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	}
	report_folios(c, len);
	return 0;
}
