// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of engine/monitor.c: the /proc/vmstat and numastat "key value"
 * parser and its filter, the TLB line of /proc/interrupts (this machine's,
 * a 96-column one with an offline CPU, one without a TLB line as on arm64),
 * reading a fake root where files are missing (left out, never an error),
 * and the per-sample deltas and metrics of a step.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsfile.h"
#include "monitor.h"
#include "util.h"

/* An excerpt of /proc/vmstat on the development VM (kernel 6.18). */
static const char vmstat_text[] = "nr_free_pages 2293546\n"
				  "nr_zone_inactive_anon 11922\n"
				  "numa_hit 1031428433\n"
				  "numa_miss 0\n"
				  "numa_foreign 0\n"
				  "numa_interleave 1134\n"
				  "numa_local 1031428433\n"
				  "numa_other 0\n"
				  "pgfault 1675240234\n"
				  "pgmajfault 91945\n"
				  "pgsteal_kswapd 0\n"
				  "numa_pte_updates 0\n"
				  "numa_huge_pte_updates 0\n"
				  "numa_hint_faults 0\n"
				  "numa_hint_faults_local 0\n"
				  "numa_pages_migrated 0\n"
				  "pgmigrate_success 3448696\n"
				  "pgmigrate_fail 1181326\n"
				  "compact_stall 0\n"
				  "compact_fail 0\n"
				  "compact_success 0\n"
				  "thp_fault_alloc 15555\n"
				  "thp_fault_fallback 0\n"
				  "thp_fault_fallback_charge 0\n"
				  "thp_split_pmd 9530\n";

/* An excerpt of /proc/interrupts on the development VM (2 CPUs, x86). */
static const char interrupts_x86[] = "           CPU0       CPU1       \n"
				     " 24:          1          0  IO-APIC   5-edge      ACPI:Ged\n"
				     " 25:          0          1  IO-APIC   6-edge      ACPI:Ged\n"
				     " 26:          0         14  IO-APIC   4-edge      ttyS0\n"
				     "NMI:          0          0   Non-maskable interrupts\n"
				     "LOC:    1242209    1727910   Local timer interrupts\n"
				     "CAL:    1136519    1047182   Function call interrupts\n"
				     "TLB:     865770     860102   TLB shootdowns\n"
				     "ERR:          0\n"
				     "MIS:          0\n";

/* The shape of an arm64 machine's: TLB shootdowns are not interrupts there. */
static const char interrupts_arm64[] =
    "           CPU0       CPU1       CPU2       CPU3       \n"
    " 11:     123456     234567     345678     456789     GICv3  27 Level     arch_timer\n"
    "IPI0:      1234       2345       3456       4567       Rescheduling interrupts\n"
    "IPI1:       100        200        300        400       Function call interrupts\n"
    "Err:          0\n";

struct seen {
	char keys[64][48];
	uint64_t vals[64];
	unsigned n;
};

static void collect(const char *key, size_t len, uint64_t value, void *arg)
{
	struct seen *s = arg;

	if (s->n < 64 && len < 48 && monitor_vmstat_wanted(key, len)) {
		memcpy(s->keys[s->n], key, len);
		s->keys[s->n][len] = '\0';
		s->vals[s->n++] = value;
	}
}

static void test_vmstat_filter(void **state)
{
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(monitor_parse_kv(vmstat_text, collect, &s), 25);
	/* 25 lines less nr_free_pages, nr_zone_inactive_anon, pgsteal_kswapd, thp_split_pmd */
	assert_int_equal(s.n, 21);
	assert_string_equal(s.keys[0], "numa_hit");
	assert_true(s.vals[0] == 1031428433ULL);
	assert_string_equal(s.keys[6], "pgfault");
	assert_true(s.vals[6] == 1675240234ULL);
	assert_string_equal(s.keys[20], "thp_fault_fallback_charge");
	assert_false(monitor_vmstat_wanted("pgfaults", 8));
	assert_false(monitor_vmstat_wanted("pgfaul", 6));
	assert_true(monitor_vmstat_wanted("compact_daemon_wake", 19));
}

static void test_kv_malformed(void **state)
{
	struct seen s = { 0 };

	(void)state;
	/* no value, two spaces, a sign, trailing junk, no newline at the end */
	assert_int_equal(monitor_parse_kv("pgfault\npgfault  1\nnuma_hit -1\nnuma_miss 3x\n"
					  " numa_local 4\n\nNuma_other 5\npgmajfault 7",
					  collect, &s),
			 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.keys[0], "pgmajfault");
	assert_true(s.vals[0] == 7);
	/* saturates, never wraps */
	s.n = 0;
	monitor_parse_kv("pgfault 99999999999999999999999\n", collect, &s);
	assert_true(s.vals[0] == UINT64_MAX);
	assert_int_equal(monitor_parse_kv("", collect, &s), 0);
}

static void test_tlb_x86(void **state)
{
	uint64_t total, workers;
	unsigned cpu1 = 1;

	(void)state;
	assert_int_equal(monitor_parse_tlb(interrupts_x86, &cpu1, 1, &total, &workers), 0);
	assert_true(total == 865770 + 860102);
	assert_true(workers == 860102);
}

static void test_tlb_arm64_none(void **state)
{
	uint64_t total = 5, workers = 5;
	unsigned cpu0 = 0;

	(void)state;
	assert_int_equal(monitor_parse_tlb(interrupts_arm64, &cpu0, 1, &total, &workers), -1);
	assert_true(total == 0 && workers == 0);
	assert_int_equal(monitor_parse_tlb("", &cpu0, 1, &total, &workers), -1);
	/* a TLB line but no header: which column is which CPU is unknown */
	assert_int_equal(monitor_parse_tlb("TLB: 1 2 TLB shootdowns\n", &cpu0, 1, &total, &workers),
			 -1);
}

/* 96 CPU columns, CPU5 offline (no column): CPUn's count is n + 1. */
static void test_tlb_many_cpus(void **state)
{
	char *hdr = xstrdup("      "), *line = xstrdup("TLB:"), *text;
	unsigned pus[] = { 0, 5, 6, 96 };
	uint64_t total, workers, want = 0;

	(void)state;
	for (unsigned cpu = 0; cpu <= 96; cpu++) {
		char *h, *l;

		if (cpu == 5)
			continue;
		h = xasprintf("%s     CPU%-3u", hdr, cpu);
		l = xasprintf("%s %10u", line, cpu + 1);
		free(hdr);
		free(line);
		hdr = h;
		line = l;
		want += cpu + 1;
	}
	text = xasprintf("%s\n  0:  %s\n%s   TLB shootdowns\nERR: 0\n", hdr, "1 2 3", line);
	assert_int_equal(monitor_parse_tlb(text, pus, 4, &total, &workers), 0);
	assert_true(total == want);
	assert_true(workers == 1 + 7 + 97); /* CPU5 has no column */
	free(text);
	free(hdr);
	free(line);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char *path = xasprintf("%s%s", dir, rel);
	FILE *f;

	for (char *p = strchr(path + strlen(dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static int name_index(const struct monitor *m, const char *name)
{
	for (unsigned i = 0; i < monitor_count(m); i++)
		if (!strcmp(monitor_name(m, i), name))
			return (int)i;
	return -1;
}

/* A fake root without /proc/interrupts: the rest is read, the step goes on. */
static void test_fake_root(void **state)
{
	char dir[] = "/tmp/fb-monitor-XXXXXX";
	unsigned pus[] = { 0 };
	struct monitor *m;
	uint64_t vals[64];
	json_t *missing;
	double t;
	char *path;
	int i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	write_file(dir, "/proc/vmstat", "nr_free_pages 1\npgfault 10\nnuma_miss 2\n");
	write_file(dir, "/sys/devices/system/node/node1/numastat", "numa_hit 7\nother_node 1\n");
	write_file(dir, "/sys/devices/system/node/node0/numastat", "numa_hit 5\nother_node 0\n");
	write_file(dir, "/sys/devices/system/node/nodeX/numastat", "numa_hit 9\n");
	m = monitor_create(dir, pus, 1);
	assert_int_equal(monitor_count(m), 6);
	assert_string_equal(monitor_name(m, 0), "vmstat:pgfault");
	assert_string_equal(monitor_name(m, 1), "vmstat:numa_miss");
	assert_string_equal(monitor_name(m, 2), "numastat:node0:numa_hit");
	assert_string_equal(monitor_name(m, 5), "numastat:node1:other_node");
	missing = monitor_unavailable(m);
	assert_non_null(json_object_get(missing, "/proc/interrupts"));
	json_decref(missing);

	monitor_read(m, vals, &t);
	assert_true(t > 0);
	assert_true(vals[0] == 10 && vals[1] == 2 && vals[4] == 7);
	/* a file gone mid-run: its values are missing, the others still read */
	path = xasprintf("%s/proc/vmstat", dir);
	unlink(path);
	monitor_read(m, vals, &t);
	assert_true(vals[0] == FB_MONITOR_MISSING && vals[1] == FB_MONITOR_MISSING);
	i = name_index(m, "numastat:node1:numa_hit");
	assert_true(i >= 0 && vals[i] == 7);
	monitor_destroy(m);
	free(path);

	/* nothing at all: an empty monitor, not a failure */
	m = monitor_create("/nonexistent-fb-root", pus, 1);
	assert_int_equal(monitor_count(m), 0);
	monitor_destroy(m);
	assert_int_equal(fsfile_remove_tree(dir), 0);
}

static void test_delta_and_derive(void **state)
{
	uint64_t mon[2][2] = { { 100, 3 }, { 300, FB_MONITOR_MISSING } };
	struct sample samples[2] = { { .t = 1, .mon = mon[0], .mon_t = 1 },
				     { .t = 3, .mon = mon[1], .mon_t = 3 } };
	char names[2][48] = { "vmstat:pgfault", "interrupts:TLB" };
	struct step_result r = {
		.nsamples = 2, .samples = samples, .nmonitors = 2, .monitor_names = names
	};
	const struct metric *m;
	json_t *o;

	(void)state;
	assert_true(monitor_delta(5, 8) == 3);
	assert_true(monitor_delta(8, 5) == FB_MONITOR_MISSING);
	assert_true(monitor_delta(FB_MONITOR_MISSING, 5) == FB_MONITOR_MISSING);
	monitor_derive(&r);
	/* a monitor some sample lacks gets no metric */
	assert_int_equal(r.nmetrics, 1);
	m = step_metric(&r, "vmstat:pgfault");
	assert_non_null(m);
	assert_false(m->higher_better);
	assert_true(fabs(m->v[0] - 100) < 1e-9 && fabs(m->v[1] - 100) < 1e-9);
	assert_true(fabs(m->value - 100) < 1e-9);
	assert_true(monitor_metric("vmstat:pgfault") && monitor_metric("numastat:node0:numa_hit"));
	assert_false(monitor_metric("faults/s"));

	o = monitor_step_json(&r);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(o, "total"), 0)), 400);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(o, "total"), 1)), 3);
	assert_true(
	    json_is_null(json_array_get(json_array_get(json_object_get(o, "samples"), 1), 1)));
	json_decref(o);
	for (unsigned k = 0; k < r.nmetrics; k++)
		free(r.metrics[k].v);
	free(r.metrics);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmstat_filter),	 cmocka_unit_test(test_kv_malformed),
		cmocka_unit_test(test_tlb_x86),		 cmocka_unit_test(test_tlb_arm64_none),
		cmocka_unit_test(test_tlb_many_cpus),	 cmocka_unit_test(test_fake_root),
		cmocka_unit_test(test_delta_and_derive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
