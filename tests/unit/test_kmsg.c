// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for stress/kmsg.c: the /dev/kmsg and klogctl record parsers, and
 * the verdict on real kernel log lines.  Every line below is the shape the
 * kernel really prints (WARN(), BUG_ON(), the lockup and hung-task
 * detectors, KASAN, UBSAN, bad_page(), dio_warn_stale_pagecache()); the
 * lines that must not match are real messages that merely contain a word
 * such as WARNING or "general protection fault".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kmsg.h"

static struct kmsg_rec parse(const char *rec)
{
	struct kmsg_rec r;

	assert_true(kmsg_parse_record(rec, strlen(rec), &r));
	return r;
}

static void test_record_fields(void **state)
{
	struct kmsg_rec r = parse("4,1234,5678,-;WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 "
				  "filemap_fault+0x1/0x2\n");

	assert_int_equal(r.level, 4);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.seq, 1234);
	assert_int_equal(r.usec, 5678);
	assert_string_equal(r.text,
			    "WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 filemap_fault+0x1/0x2");
}

/* Device records carry " KEY=value" lines after the text: not part of it. */
static void test_record_dictionary_dropped(void **state)
{
	struct kmsg_rec r = parse("6,339,1306700,-;virtio_blk virtio1: [vda] 536870912 512-byte "
				  "logical blocks\n SUBSYSTEM=virtio\n DEVICE=+virtio:virtio1\n");

	assert_string_equal(r.text, "virtio_blk virtio1: [vda] 536870912 512-byte logical blocks");
	assert_int_equal(r.level, 6);
}

/* A process writing "<4>..." to /dev/kmsg gets facility 1 (user): the kernel's is 0. */
static void test_record_user_facility(void **state)
{
	struct kmsg_rec r = parse("12,340,1306800,-;WARNING: CPU: 0 PID: 1 at faultbench-test:1 x");

	assert_int_equal(r.facility, 1);
	assert_int_equal(r.level, 4);
}

static void test_record_continuation_flag(void **state)
{
	struct kmsg_rec r = parse("4,341,1306900,c;  lock(&mapping->i_mmap_rwsem);");

	assert_string_equal(r.text, "  lock(&mapping->i_mmap_rwsem);");
}

static void test_record_malformed(void **state)
{
	static const char *const bad[] = {
		"no semicolon at all",
		"4,1,2;no flags field",
		"x,1,2,-;not a number",
		"-4,1,2,-;negative",
		"99999,1,2,-;prefix out of range",
	};
	struct kmsg_rec r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(kmsg_parse_record(bad[i], strlen(bad[i]), &r));
}

static void test_record_long_text_truncated(void **state)
{
	char rec[3 * KMSG_TEXT_MAX];
	struct kmsg_rec r;

	strcpy(rec, "4,1,2,-;WARNING: ");
	memset(rec + strlen(rec), 'x', 2 * KMSG_TEXT_MAX);
	rec[sizeof(rec) - 1] = '\0';
	assert_true(kmsg_parse_record(rec, strlen(rec), &r));
	assert_int_equal(strlen(r.text), KMSG_TEXT_MAX - 1);
	assert_string_equal(kmsg_verdict(r.text, NULL), "WARNING");
}

static void test_syslog_lines(void **state)
{
	static const char stamped[] =
	    "<4>[  123.456789] WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 filemap_fault+0x1/0x2";
	static const char caller[] = "<6>[    0.000000][    T0] Linux version 6.18.44";
	static const char bare[] = "<12>WARNING: CPU: 0 PID: 1 at faultbench-test:1 x";
	static const char bracket[] = "<6>[drm] Initialized simpledrm 1.0.0";
	struct kmsg_rec r;

	assert_true(kmsg_parse_syslog_line(stamped, strlen(stamped), &r));
	assert_int_equal(r.level, 4);
	assert_int_equal(r.usec, 123456789);
	assert_string_equal(r.text,
			    "WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 filemap_fault+0x1/0x2");
	assert_true(kmsg_parse_syslog_line(caller, strlen(caller), &r));
	assert_string_equal(r.text, "Linux version 6.18.44");
	assert_true(kmsg_parse_syslog_line(bare, strlen(bare), &r));
	assert_int_equal(r.facility, 1);
	assert_int_equal(r.usec, 0);
	assert_string_equal(r.text, "WARNING: CPU: 0 PID: 1 at faultbench-test:1 x");
	/* Not a time stamp: part of the text. */
	assert_true(kmsg_parse_syslog_line(bracket, strlen(bracket), &r));
	assert_string_equal(r.text, "[drm] Initialized simpledrm 1.0.0");
	assert_false(kmsg_parse_syslog_line("no prefix", 9, &r));
}

/* Lines by which the kernel reports a bug in itself, and the name each gets. */
static const struct {
	const char *rec, *pattern;
} bug_lines[] = {
	{ "4,1234,5678,-;WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 filemap_fault+0x1/0x2",
	  "WARNING" },
	{ "4,10,20,-;WARNING: possible circular locking dependency detected", "WARNING" },
	{ "4,11,20,-;WARNING: suspicious RCU usage", "WARNING" },
	{ "0,12,20,-;kernel BUG at mm/migrate.c:2274!", "BUG" },
	{ "1,13,20,-;BUG: unable to handle page fault for address: ffffeb0400000008", "BUG" },
	{ "3,14,20,-;BUG: sleeping function called from invalid context at mm/memory.c:6012",
	  "BUG" },
	{ "4,15,20,-;Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI", "Oops" },
	{ "4,16,20,-;Oops: general protection fault, probably for non-canonical address "
	  "0xdffffc0000000001: 0000 [#1] PREEMPT SMP KASAN NOPTI",
	  "Oops" },
	{ "4,17,20,-;general protection fault, probably for non-canonical address "
	  "0x8030000000000000: 0000 [#1] SMP PTI",
	  "general protection fault" },
	{ "0,18,20,-;Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP", "Oops" },
	{ "0,19,20,-;watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [faultbench:4242]",
	  "soft lockup" },
	{ "0,20,20,-;NMI watchdog: BUG: soft lockup - CPU#0 stuck for 23s! [kworker/0:1:12]",
	  "soft lockup" },
	{ "0,21,20,-;watchdog: Watchdog detected hard LOCKUP on cpu 1", "hard LOCKUP" },
	{ "3,22,20,-;INFO: task faultbench:4242 blocked for more than 122 seconds.", "hung task" },
	{ "3,23,20,-;rcu: INFO: rcu_preempt self-detected stall on CPU", "RCU stall" },
	{ "3,24,20,-;rcu: INFO: rcu_sched detected stalls on CPUs/tasks:", "RCU stall" },
	{ "3,25,20,-;BUG: KASAN: slab-use-after-free in anon_vma_clone+0x2d/0x250", "KASAN" },
	{ "3,26,20,-;KASAN: null-ptr-deref in range [0x0000000000000008-0x000000000000000f]",
	  "KASAN" },
	{ "3,27,20,-;UBSAN: array-index-out-of-bounds in mm/vmscan.c:1234:5", "UBSAN" },
	{ "3,28,20,-;BUG: KFENCE: use-after-free read in folio_mapping+0x10/0x60", "KFENCE" },
	{ "1,29,20,-;BUG: Bad page state in process kswapd0  pfn:1e8c2a", "Bad page" },
	{ "1,30,20,-;BUG: Bad page map in process faultbench  pte:8000000123456067 "
	  "pmd:1234567",
	  "Bad page" },
	{ "4,31,20,-;page dumped because: VM_BUG_ON_FOLIO(!folio_test_locked(folio))",
	  "page dump" },
	{ "2,32,20,-;Page cache invalidation failure on direct I/O.  Possible data corruption "
	  "due to collision with buffered I/O!",
	  "invalidation failure" },
	{ "0,33,20,-;Kernel panic - not syncing: Fatal exception", "panic" },
};

static void test_bug_lines_match(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bug_lines) / sizeof(bug_lines[0]); i++) {
		struct kmsg_rec r = parse(bug_lines[i].rec);
		const char *p = kmsg_verdict(r.text, NULL);

		if (!p || strcmp(p, bug_lines[i].pattern))
			fail_msg("'%s': matched %s, expected %s", r.text, p ? p : "nothing",
				 bug_lines[i].pattern);
	}
}

/* Real messages that contain a pattern's word but report no kernel bug. */
static const char *const innocent_lines[] = {
	/* a boot notice about a CPU mitigation, not a WARN() */
	"4,5,100,-;RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable to RETBleed "
	"attacks, data leaks possible!",
	/* a user process's crash, reported by the kernel */
	"6,900,200,-;traps: a.out[1234] general protection fault ip:401136 sp:7ffd5ce0c6b0 "
	"error:0 in a.out[401000+1000]",
	"3,7,100,-;ACPI BIOS Error (bug): Could not resolve symbol [\\_SB.PCI0.XHC.RHUB.HS11], "
	"AE_NOT_FOUND (20230628/dswload2-162)",
	"4,8,100,-;[Firmware Bug]: TSC_DEADLINE disabled due to Errata; please update microcode "
	"to version: 0x3a (or later)",
	"4,9,100,-;EXT4-fs warning (device vda): ext4_dx_add_entry:2540: Directory (ino: 123) "
	"index full, reach max htree level :2",
	"6,10,100,-;tokio-rt-worker (70): drop_caches: 3",
	"4,11,100,-;hrtimer: interrupt took 2160434 ns",
	"6,12,100,-;Future hung task reports are suppressed, see sysctl "
	"kernel.hung_task_warnings",
	/* the watchdog's own sysrq w dump */
	"6,13,100,-;sysrq: Show Blocked State",
	"6,14,100,-;task:kworker/0:1     state:D stack:0     pid:12    tgid:12    ppid:2      "
	"flags:0x00004000",
	"4,15,100,-;Call Trace:",
	"6,16,100,-;NMI watchdog: Enabled. Permanently consumes one hw-PMU counter.",
	"5,17,100,-;random: crng reseeded due to virtual machine fork",
	"4,18,100,-;  ? do_user_addr_fault+0x20c/0x6a0",
};

static void test_innocent_lines_do_not_match(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(innocent_lines) / sizeof(innocent_lines[0]); i++) {
		struct kmsg_rec r = parse(innocent_lines[i]);
		const char *p = kmsg_verdict(r.text, NULL);

		if (p)
			fail_msg("'%s' matched %s; it reports no kernel bug", r.text, p);
	}
}

/* A test's injected line fails only the run that carries its token. */
static void test_injected_lines_need_their_token(void **state)
{
	const char *line = "WARNING: CPU: 0 PID: 1 at faultbench-test:1 fake_warning_for_test "
			   "tok-1234-abcd";

	assert_null(kmsg_verdict(line, NULL));
	assert_null(kmsg_verdict(line, ""));
	assert_null(kmsg_verdict(line, "tok-9999-ffff"));
	assert_string_equal(kmsg_verdict(line, "tok-1234-abcd"), "WARNING");
	/* The token does not make ordinary lines match. */
	assert_null(
	    kmsg_verdict("hrtimer: interrupt took 2160434 ns tok-1234-abcd", "tok-1234-abcd"));
}

static void test_new_lines_since_mark(void **state)
{
	assert_string_equal(kmsg_syslog_new_lines("<6>a\n<6>b\n<4>c\n", "<6>b"), "<4>c\n");
	assert_string_equal(kmsg_syslog_new_lines("<6>a\n<6>b\n<4>c\n", "<4>c"), "");
	/* The mark was overwritten (the ring wrapped): everything left is new. */
	assert_string_equal(kmsg_syslog_new_lines("<6>a\n<6>b\n", "<6>x"), "<6>a\n<6>b\n");
	assert_string_equal(kmsg_syslog_new_lines("<6>a\n", NULL), "<6>a\n");
	/* The last occurrence counts. */
	assert_string_equal(kmsg_syslog_new_lines("<6>a\n<6>b\n<6>a\n<6>b\n<4>c\n", "<6>b"),
			    "<4>c\n");
	/* No newline at the end of the buffer. */
	assert_string_equal(kmsg_syslog_new_lines("<6>a\n<6>b", "<6>b"), "");
	/* A line that only starts like the mark is not it. */
	assert_string_equal(kmsg_syslog_new_lines("<6>bb\n<6>c\n", "<6>b"), "<6>bb\n<6>c\n");
}

static void feed(struct kmsg_log *k, const char *rec)
{
	struct kmsg_rec r = parse(rec);

	kmsg_feed(k, &r);
}

/* A WARNING keeps its report (registers, call trace) up to "---[ end trace". */
static void test_feed_keeps_context(void **state)
{
	struct kmsg_log k = { .fd = -1 };
	json_t *j;

	feed(&k, "6,1,1,-;EXT4-fs (vda): mounted filesystem r/w without journal.");
	feed(&k, "4,2,2,-;------------[ cut here ]------------");
	feed(&k, "4,3,3,-;WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 filemap_fault+0x1/0x2");
	feed(&k, "4,4,4,-;Modules linked in:");
	feed(&k, "4,5,5,-;CPU: 1 UID: 0 PID: 42 Comm: faultbench Not tainted 6.18.44 #1");
	feed(&k, "4,6,6,-;RIP: 0010:filemap_fault+0x1/0x2");
	feed(&k, "4,7,7,-;Call Trace:");
	feed(&k, "4,8,8,-; <TASK>");
	feed(&k, "4,9,9,-; __do_fault+0x33/0x130");
	feed(&k, "4,10,10,-; </TASK>");
	feed(&k, "4,11,11,-;---[ end trace 0000000000000000 ]---");
	feed(&k, "6,12,12,-;random: crng reseeded due to virtual machine fork");
	assert_int_equal(k.nmatch, 1);
	/* "cut here" (a warning-level line of its own), the match, 8 lines of context */
	assert_int_equal(k.nlines, 10);
	assert_int_equal(k.lines[0].kind, KMSG_OTHER);
	assert_int_equal(k.lines[1].kind, KMSG_MATCH);
	assert_string_equal(k.lines[1].pattern, "WARNING");
	assert_int_equal(k.lines[9].kind, KMSG_CONTEXT);
	assert_string_equal(k.lines[9].text, "---[ end trace 0000000000000000 ]---");

	j = kmsg_to_json(&k);
	assert_int_equal(json_integer_value(json_object_get(j, "matches")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "lines")), 10);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(j, "lines"), 1), "text")),
			    "WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 filemap_fault+0x1/0x2");
	json_decref(j);
	kmsg_close(&k);
}

/* Other warnings of the kernel are kept (not judged); info lines and processes' are not. */
static void test_feed_other_warnings(void **state)
{
	struct kmsg_log k = { .fd = -1 };

	feed(&k, "4,1,1,-;hrtimer: interrupt took 2160434 ns");
	feed(&k, "6,2,2,-;random: crng reseeded due to virtual machine fork");
	feed(&k, "12,3,3,-;systemd-journald[270]: something a process wrote");
	assert_int_equal(k.nmatch, 0);
	assert_int_equal(k.nother, 1);
	assert_int_equal(k.nlines, 1);
	assert_int_equal(k.lines[0].kind, KMSG_OTHER);
	kmsg_close(&k);
}

/* A flood of matches is counted in full, stored up to a bound. */
static void test_feed_bounded(void **state)
{
	struct kmsg_log k = { .fd = -1 };
	unsigned i;

	for (i = 0; i < 5000; i++)
		feed(&k, "4,1,1,-;WARNING: CPU: 1 PID: 42 at mm/filemap.c:1234 x+0x1/0x2");
	assert_int_equal(k.nmatch, 5000);
	assert_true(k.nlines < 5000);
	kmsg_close(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_fields),
		cmocka_unit_test(test_record_dictionary_dropped),
		cmocka_unit_test(test_record_user_facility),
		cmocka_unit_test(test_record_continuation_flag),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_record_long_text_truncated),
		cmocka_unit_test(test_syslog_lines),
		cmocka_unit_test(test_bug_lines_match),
		cmocka_unit_test(test_innocent_lines_do_not_match),
		cmocka_unit_test(test_injected_lines_need_their_token),
		cmocka_unit_test(test_new_lines_since_mark),
		cmocka_unit_test(test_feed_keeps_context),
		cmocka_unit_test(test_feed_other_warnings),
		cmocka_unit_test(test_feed_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
