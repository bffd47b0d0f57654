/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parsers of what benchmarks' programs print, as pure functions of a
 * buffer: what sysbench and make wrote is read by faultbench, so each has a
 * fuzz target (tests/fuzz/fuzz_benchout.c).
 */
#ifndef FB_BENCH_PARSERS_H
#define FB_BENCH_PARSERS_H

/* One "[ 3s ] ..." interval line of sysbench; NAN where the line does not say. */
struct sysbench_interval {
	double eps, lat95, mibs;
};

/* The interval lines of sysbench's output, in *iv (malloc'd); their number. */
unsigned sysbench_parse_intervals(const char *out, struct sysbench_interval **iv);

/* The number after "key" on the first line containing it, or NAN. */
double sysbench_find_number(const char *text, const char *key);

/*
 * The last line of a build log that is not make's own "make[1]: ***" trail,
 * malloc'd; text (the whole log) is cut in place.
 */
char *kernbench_last_line(char *text);

#endif
