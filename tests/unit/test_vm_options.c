// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vm/options.c and the guest's command (vm/initramfs.c): bad
 * values refused with git-style usage errors (exit 2) before anything boots,
 * labels for several kernels, what interleaved boots ask of the command, and
 * the command line the guest's init runs, quoted.
 */
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
#include "util.h"
#include "vm.h"

#define GiB	(1024ULL * VM_MiB)
#define ARGC(a) ((int)ARRAY_SIZE(a) - 1)

static int no_usage(FILE *f)
{
	(void)f;
	return FB_USAGE;
}

/* vm_parse_options() on a NULL-terminated argv literal (copied: the parser reorders). */
static int parse(struct vm_opts *o, char *const *args, int *npos)
{
	char *argv[32];
	int argc = 0, ret;

	while (args[argc]) {
		argv[argc] = args[argc];
		argc++;
	}
	argv[argc] = NULL;
	ret = vm_parse_options(o, argc, argv, no_usage, npos);
	return ret;
}

static void parsed(void **state)
{
	struct vm_opts o;
	int npos;

	(void)state;
	assert_int_equal(
	    parse(&o,
		  (char *[]){ "vm", "--kernel", "a", "--kernel", "b", "--numa", "4x16", "--smt",
			      "2", "--mem", "8G", "--accel", "tcg", "--", "run", "pf1", NULL },
		  &npos),
	    FB_OK);
	assert_int_equal(o.kernel.n, 2);
	assert_string_equal(o.kernel.v[1], "b");
	assert_string_equal(o.numa, "4x16");
	assert_int_equal(o.smt, 2);
	assert_int_equal(o.mem, 8 * GiB);
	assert_int_equal(o.accel, VM_ACCEL_TCG);
	assert_int_equal(npos, 2);
	/* the defaults */
	assert_int_equal(o.boots, 1);
	assert_string_equal(o.results, "results");
	assert_string_equal(o.qemu, VM_QEMU_DEFAULT);
	assert_false(o.shell);
	vm_opts_free(&o);
}

static void bad_values(void **state)
{
	static const char *const bad[][3] = {
		{ "--boots", "0", "option '--boots'" },
		{ "--smt", "9", "option '--smt'" },
		{ "--mem", "1M", "option '--mem'" },
		{ "--mem", "lots", "option '--mem'" },
		{ "--accel", "hvf", "option '--accel'" },
		{ "--timeout", "5", "option '--timeout'" },
		{ "--disk", "1M", "option '--disk'" },
		{ "--kvm-probe", "nan", "option '--kvm-probe'" },
		{ "--boot-timeout", "-1", "option '--boot-timeout'" },
	};
	struct vm_opts o;
	int npos;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *argv[] = { "vm", (char *)bad[i][0], (char *)bad[i][1], "--", "topo", NULL };

		assert_int_equal(parse(&o, argv, &npos), FB_USAGE);
		assert_non_null(strstr(fb_last_error(), bad[i][2]));
		vm_opts_free(&o);
	}
	assert_int_equal(parse(&o, (char *[]){ "vm", "--bogus", "--", "topo", NULL }, &npos),
			 FB_USAGE);
	vm_opts_free(&o);
	/* no command for the guest */
	assert_int_equal(parse(&o, (char *[]){ "vm", "--kernel", "k", NULL }, &npos), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "vm needs a command to run in the guest"));
	vm_opts_free(&o);
	assert_int_equal(vm_check_kernel(NULL), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "vm needs --kernel PATH"));
	assert_int_equal(vm_check_kernel("/nonexistent/vmlinuz"), FB_USAGE);
	assert_string_equal(fb_last_error(),
			    "option '--kernel': '/nonexistent/vmlinuz' is not a readable file");
}

static struct vm_opts defaults(void)
{
	struct vm_opts o;

	opt_set_defaults(vm_options, &o);
	return o;
}

static void checks(void **state)
{
	struct vm_opts o = defaults();
	char dir[] = "/tmp/fb-test-vmopt.XXXXXX", *p;
	const char *mods[1];

	(void)state;
	assert_int_equal(vm_check_options(&o, 16 * GiB), FB_OK);
	/* more guest than host */
	assert_int_equal(vm_check_options(&o, 2 * GiB), FB_USAGE);
	assert_string_equal(fb_last_error(), "option '--mem': 4096 MiB for the guest, more than "
					     "the 2048 MiB available on this host");
	static const char *const bad_labels[] = { "../x", "",	 ",",	"a,",	     ",a",
						  "a,,b", "a,.", "a/b", "a,b\033[2J" };
	for (size_t i = 0; i < ARRAY_SIZE(bad_labels); i++) {
		o.labels = bad_labels[i];
		assert_int_equal(vm_check_options(&o, 16 * GiB), FB_USAGE);
		assert_non_null(strstr(fb_last_error(), "option '--labels'"));
	}
	o.labels = "6.1-a,6.1-b";
	assert_int_equal(vm_check_options(&o, 16 * GiB), FB_OK);
	o.results = "";
	assert_int_equal(vm_check_options(&o, 16 * GiB), FB_USAGE);
	assert_string_equal(fb_last_error(), "option '--results' is empty; name a directory");
	o.results = "results";
	/* --modules: a directory of one of the three layouts */
	o.modules = (struct opt_strlist){ .v = mods, .n = 1 };
	mods[0] = "/etc";
	assert_int_equal(vm_check_options(&o, 16 * GiB), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "option '--modules': '/etc' holds no kernel"));
	mods[0] = "/etc/passwd";
	assert_int_equal(vm_check_options(&o, 16 * GiB), FB_USAGE);
	assert_string_equal(fb_last_error(),
			    "option '--modules': '/etc/passwd' is not a directory");
	assert_non_null(mkdtemp(dir));
	mods[0] = dir;
	p = xasprintf("%s/modules.order", dir);
	fclose(fopen(p, "w"));
	assert_int_equal(vm_check_options(&o, 16 * GiB), FB_OK);
	unlink(p);
	free(p);
	rmdir(dir);
}

static void labels(void **state)
{
	struct vm_opts o = defaults();
	const char *kernels[] = { "/boot/vmlinuz-6.1.0-57-amd64", "/x/bzImage" };
	char **l;

	(void)state;
	o.kernel = (struct opt_strlist){ .v = kernels, .n = 2 };
	assert_int_equal(vm_labels(&o, &l), FB_OK);
	assert_string_equal(l[0], "6.1.0-57-amd64");
	assert_string_equal(l[1], "bzImage");
	vm_free_list(l, 2);
	o.labels = "a,b";
	assert_int_equal(vm_labels(&o, &l), FB_OK);
	assert_string_equal(l[1], "b");
	vm_free_list(l, 2);
	o.labels = "a";
	assert_int_equal(vm_labels(&o, &l), FB_USAGE);
	assert_string_equal(fb_last_error(), "option '--labels': 'a' names 1 label for 2 kernels");
	vm_free_list(l, 2);
	o.labels = "a,b,c";
	assert_int_equal(vm_labels(&o, &l), FB_USAGE);
	vm_free_list(l, 2);
	o.labels = "a,a";
	assert_int_equal(vm_labels(&o, &l), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "kernels 1 and 2 would both be labelled 'a'"));
	vm_free_list(l, 2);
	o.labels = NULL;
	kernels[1] = "/y/vmlinuz-6.1.0-57-amd64";
	assert_int_equal(vm_labels(&o, &l), FB_USAGE);
	vm_free_list(l, 2);
	l = (char *[]){ vm_kernel_label("vmlinuz-"), vm_kernel_label("a/vmlinuz-6.1") };
	assert_string_equal(l[0], "vmlinuz-");
	assert_string_equal(l[1], "6.1");
	free(l[0]);
	free(l[1]);
}

static void interleavable(void **state)
{
	struct vm_opts o = defaults();
	char *run[] = { "run", "pf1", "--cpus", "1", NULL };
	char *topo[] = { "topo", NULL };
	char *labelled[] = { "suite", "x.ini", "--label=x", NULL };
	char **w;

	(void)state;
	assert_int_equal(vm_check_interleavable(&o, ARGC(run), run), FB_OK);
	assert_int_equal(vm_check_interleavable(&o, ARGC(topo), topo), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "not 'topo'"));
	assert_int_equal(vm_check_interleavable(&o, ARGC(labelled), labelled), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "the labels come from --labels"));
	o.shell = true;
	assert_int_equal(vm_check_interleavable(&o, ARGC(run), run), FB_USAGE);
	w = vm_with_label(ARGC(run), run, "k1");
	assert_string_equal(w[4], "--label");
	assert_string_equal(w[5], "k1");
	assert_null(w[6]);
	free(w);
}

/* The script of the guest's init: faultbench's arguments quoted for sh, a --shell line as is. */
static void guest_command(void **state)
{
	char *buf = NULL, *run[] = { "run", "pf1", "--label", "it's", "$(reboot)", NULL };
	char *sh[] = { "faultbench", "topo;", "true", NULL };
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_int_equal(vm_write_guest_command(f, false, ARGC(run), run), FB_OK);
	fclose(f);
	assert_string_equal(buf, "# written by faultbench vm on the host\n"
				 "faultbench 'run' 'pf1' '--label' 'it'\\''s' '$(reboot)'\n");
	free(buf);
	f = open_memstream(&buf, &len);
	assert_int_equal(vm_write_guest_command(f, true, ARGC(sh), sh), FB_OK);
	fclose(f);
	assert_string_equal(buf, "# written by faultbench vm on the host\nset -e\n"
				 "faultbench topo; true\n");
	free(buf);
}

static void suite_config(void **state)
{
	struct vm_opts o = defaults();
	char ini[] = "/tmp/fb-test-vmopt-XXXXXX.ini";
	int fd = mkstemps(ini, 4);
	char *suite[] = { "suite", "--dry-run", ini, NULL };
	char *missing[] = { "suite", "/nonexistent/a.ini", NULL };
	char *run[] = { "run", ini, NULL };

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vm_suite_config_arg(&o, ARGC(suite), suite), 2);
	assert_int_equal(vm_suite_config_arg(&o, ARGC(missing), missing), -1);
	assert_int_equal(vm_suite_config_arg(&o, ARGC(run), run), -1);
	o.shell = true;
	assert_int_equal(vm_suite_config_arg(&o, ARGC(suite), suite), -1);
	unlink(ini);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parsed),	 cmocka_unit_test(bad_values),
		cmocka_unit_test(checks),	 cmocka_unit_test(labels),
		cmocka_unit_test(interleavable), cmocka_unit_test(guest_command),
		cmocka_unit_test(suite_config),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
