// SPDX-License-Identifier: GPL-2.0
/*
 * Booting the guest and watching it: KVM when /dev/kvm works and the guest
 * prints its first console line within --kvm-probe, else TCG (a hung or
 * frozen TCG boot is retried once on a fresh disk); the console file is
 * watched for the init's "FB-VM:" marks, soft lockups, and the limits of
 * --boot-timeout and --timeout.
 *
 * Under TCG every vCPU is a host thread running translated code: its timings
 * compare only with other TCG runs of the same topology on the same host.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"
#include "vm.h"

enum boot_outcome { BOOT_DONE, BOOT_NO_START, BOOT_RESET, BOOT_HUNG, BOOT_FROZE, BOOT_FAILED };

/*
 * Seconds qemu gets to exit by itself after the guest's init said "FB-VM:
 * done" (its disk synced and unmounted): a kernel that cannot power off
 * (acpi=off, no CONFIG_ACPI) halts instead and would keep qemu running to
 * --timeout.  Then vm ends qemu itself; the results are on the disk.
 */
#define VM_POWEROFF_GRACE 10.0

/* The console so far (NUL-terminated), or an empty string. */
static char *console_text(const struct vm *vm)
{
	char *s = read_text_file(vm->console);

	return s ? s : xstrdup("");
}

void vm_print_tail(const char *what, const char *path, unsigned lines)
{
	char *s = read_text_file(path), *p;
	unsigned seen = 0;

	if (!s || !*s) {
		free(s);
		return;
	}
	for (p = s + strlen(s); p > s; p--)
		if (p[-1] == '\n' && ++seen > lines)
			break;
	fprintf(stderr, "---- last lines of the %s (%s) ----\n%s\n----\n", what, path, p);
	free(s);
}

static void stop_qemu(struct spawn *qemu)
{
	spawn_stop(qemu, SIGTERM, 5);
}

/*
 * The guest kernel's soft-lockup report (printed at KERN_EMERG, so it passes
 * the init's console level): a CPU stuck in the kernel for 20 s and more.
 * Under TCG that is the text-patching freeze (vm/qemu_argv.c); a guest in
 * that state never finishes, so it is stopped at once rather than at
 * --timeout.
 */
char *vm_console_froze(const char *con)
{
	const char *p = strstr(con, "soft lockup - CPU#");
	size_t len;

	if (!p)
		return NULL;
	len = strcspn(p, "\r\n");
	return xasprintf("the guest kernel froze (%.*s)", (int)len, p);
}

/*
 * The init's own complaint (no scratch disk, ...: "FB-VM: error <what>") or
 * the guest kernel's panic (it reboots, which qemu's -no-reboot makes an
 * exit), or NULL.
 */
char *vm_console_error(const char *con)
{
	const char *p = strstr(con, "FB-VM: error ");

	if (p) {
		p += strlen("FB-VM: error ");
		return xasprintf("%.*s", (int)strcspn(p, "\r\n"), p);
	}
	if ((p = strstr(con, "Kernel panic - not syncing: ")))
		return xasprintf("its kernel panicked: %.*s", (int)strcspn(p, "\r\n"), p);
	return NULL;
}

char *vm_guest_error(const struct vm *vm)
{
	char *con = console_text(vm), *what = vm_console_error(con);

	free(con);
	return what;
}

/* qemu exited: a guest reset before any console line, qemu's own failure, or done. */
static enum boot_outcome exit_outcome(const struct spawn *sp, bool started, char **why)
{
	if (!started && sp->end == SPAWN_EXITED && !sp->code) {
		/*
		 * qemu exits 0 when the guest resets (-no-reboot): a kernel that
		 * crashed before its console was up (a corrupt image, one built
		 * for another CPU).  qemu itself failing to start exits 1 with
		 * its reason.
		 */
		*why = xasprintf("the kernel crashed or reset before printing anything on its "
				 "console (qemu exited with status 0, as it does when the guest "
				 "resets)");
		return BOOT_RESET;
	}
	if (!started) {
		*why = xasprintf("qemu exited (%s %d) before the guest printed anything",
				 sp->end == SPAWN_EXITED ? "status" : "signal",
				 sp->end == SPAWN_EXITED ? sp->code : sp->code - 128);
		return BOOT_NO_START;
	}
	return BOOT_DONE;
}

/* What the watch has seen of the console so far. */
struct watch {
	double start, done_at;
	size_t shown;
	bool started, booted, halted;
};

/* Take in the console's new text; a frozen guest's reason, or NULL. */
static char *watch_console(struct vm *vm, struct watch *w, double now)
{
	char *con = console_text(vm), *why;

	if (vm->o->verbose && strlen(con) > w->shown) {
		fputs(con + w->shown, stderr);
		w->shown = strlen(con);
	}
	w->started |= con[0] != '\0';
	if (!w->booted && strstr(con, "FB-VM: init")) {
		w->booted = true;
		vm->boot_seconds = now - w->start;
	}
	if (!w->done_at && strstr(con, "FB-VM: done"))
		w->done_at = now;
	/* "Power off not available: System halted instead", "reboot: System halted" */
	w->halted = w->done_at && strstr(con, "System halted");
	why = vm_console_froze(con);
	free(con);
	return why;
}

/* A limit reached while qemu runs: the outcome (qemu stopped), or -1 to keep watching. */
static int watch_limits(struct vm *vm, struct spawn *sp, const struct watch *w, double now,
			double probe, char **why)
{
	if (w->done_at && (w->halted || now - w->done_at > VM_POWEROFF_GRACE)) {
		stop_qemu(sp);
		fprintf(stderr,
			"faultbench: vm: the guest finished but did not power off%s; qemu "
			"stopped\n",
			w->halted ? " (its kernel halted instead)" : "");
		return BOOT_DONE;
	}
	if (fb_interrupted) {
		stop_qemu(sp);
		*why = xasprintf("interrupted");
		return BOOT_FAILED;
	}
	if (probe > 0 && !w->started && now - w->start > probe) {
		stop_qemu(sp);
		*why = xasprintf("the guest printed nothing on its console within %g s", probe);
		return BOOT_NO_START;
	}
	if (!w->booted && now - w->start > vm->o->boot_timeout) {
		stop_qemu(sp);
		*why = xasprintf("the guest did not reach its init within --boot-timeout %g s",
				 vm->o->boot_timeout);
		return BOOT_HUNG;
	}
	if (now > w->start + vm->o->timeout) {
		stop_qemu(sp);
		*why = xasprintf("the guest did not power off within --timeout %g s%s",
				 vm->o->timeout, w->booted ? "" : " (it never reached its init)");
		return BOOT_FAILED;
	}
	return -1;
}

/*
 * Watch a started qemu until the guest powers off or one of the limits is
 * hit.  With a probe time, the guest must print its first console line
 * within it or the boot counts as "did not start" (the KVM hang seen on some
 * nested hosts).
 */
static enum boot_outcome watch_boot(struct vm *vm, struct spawn *sp, double start, double probe,
				    char **why)
{
	struct watch w = { .start = start };

	for (;;) {
		bool exited = spawn_exited(sp);
		double now = now_monotonic();
		int r;

		*why = watch_console(vm, &w, now);
		if (*why) {
			stop_qemu(sp);
			return BOOT_FROZE;
		}
		if (exited)
			return exit_outcome(sp, w.started, why);
		r = watch_limits(vm, sp, &w, now, probe, why);
		if (r >= 0)
			return (enum boot_outcome)r;
		usleep(w.started ? 200000 : 50000);
	}
}

static enum boot_outcome boot(struct vm *vm, enum vm_accel accel, double probe, char **why)
{
	char *qemu = spawn_find_program(vm->o->qemu, NULL), msg[256];
	double start = now_monotonic();
	/* stdin from /dev/null: qemu must not take the terminal's input */
	struct spawn sp = {
		.in = { SPAWN_NULL },
		.out = { SPAWN_FILE, .path = vm->qemu_log },
		.err = { SPAWN_TO_STDOUT },
	};
	enum boot_outcome r;
	char **argv;

	*why = NULL;
	if (!qemu) {
		*why = xasprintf("%s not found (apt-get install qemu-system-x86)", vm->o->qemu);
		return BOOT_NO_START;
	}
	argv = vm_qemu_argv(vm, accel, qemu);
	free(qemu);
	unlink(vm->console);
	sp.argv = (const char *const *)argv;
	if (spawn_start(&sp)) {
		*why = xstrdup(spawn_describe(&sp, msg, sizeof(msg)));
		r = BOOT_NO_START;
	} else {
		r = watch_boot(vm, &sp, start, probe, why);
	}
	vm_free_argv(argv);
	spawn_clear(&sp);
	return r;
}

static bool kvm_usable(char **why)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		*why = xasprintf("/dev/kvm: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static void print_tails(const struct vm *vm, unsigned console_lines)
{
	vm_print_tail("guest console", vm->console, console_lines);
	vm_print_tail("qemu output", vm->qemu_log, 10);
}

/*
 * A KVM boot: FB_OK when it ran, -1 when TCG should be tried (*why says
 * why), else the status of a failure or skip (the message printed).
 */
static int boot_kvm(struct vm *vm, enum vm_accel a, char **why)
{
	enum boot_outcome r;
	int ret;

	if (!kvm_usable(why))
		return a == VM_ACCEL_KVM ? fb_skip("vm: --accel kvm: %s", *why) : -1;
	r = boot(vm, VM_ACCEL_KVM, vm->o->kvm_probe, why);
	if (r == BOOT_DONE) {
		vm->accel_used = "kvm";
		return FB_OK;
	}
	/* A soft lockup under KVM is the kernel's own: report it. */
	if (r != BOOT_FAILED && r != BOOT_FROZE && a != VM_ACCEL_KVM)
		return -1;
	print_tails(vm, 30);
	ret = r == BOOT_FAILED || r == BOOT_FROZE || r == BOOT_RESET
		  ? fb_fail("vm: KVM guest: %s", *why)
		  : fb_skip("vm: KVM guest did not boot: %s", *why);
	return ret;
}

/* A TCG boot, and once more when an emulated guest hung or froze at random. */
static int boot_tcg(struct vm *vm, char **why)
{
	enum boot_outcome r = boot(vm, VM_ACCEL_TCG, 0, why);

	if (r == BOOT_HUNG || r == BOOT_FROZE) {
		/*
		 * An emulated guest can hang or freeze at random (many vCPUs, a
		 * loaded host): once more, on a fresh scratch disk so nothing of
		 * the first attempt is taken for a result.
		 */
		fb_warn("vm: %s; booting once more", *why);
		vm_print_tail("guest console", vm->console, 5);
		vm->retry_reason = *why;
		*why = NULL;
		if (vm_make_disk(vm))
			return FB_FAIL;
		r = boot(vm, VM_ACCEL_TCG, 0, why);
	}
	if (r == BOOT_DONE) {
		vm->accel_used = "tcg";
		return FB_OK;
	}
	print_tails(vm, 30);
	return r == BOOT_NO_START ? fb_skip("vm: qemu cannot start: %s", *why)
	       : r == BOOT_RESET  ? fb_fail("vm: %s", *why)
	       : r == BOOT_HUNG	  ? fb_skip("vm: the guest did not boot, twice: %s", *why)
	       : r == BOOT_FROZE
		   ? fb_skip("vm: under TCG %s, twice (see 'Freezes' in docs/vm.md)", *why)
		   : fb_fail("vm: %s", *why);
}

int vm_boot_with_accel(struct vm *vm)
{
	enum vm_accel a = (enum vm_accel)vm->o->accel;
	char *why = NULL;
	int ret;

	if (a != VM_ACCEL_TCG) {
		ret = boot_kvm(vm, a, &why);
		if (ret >= 0) {
			free(why);
			return ret;
		}
		vm->fallback_reason = xasprintf("KVM unusable: %s", why);
		fb_warn("vm: %s; falling back to TCG (slower; its timings compare only with other "
			"TCG runs of the same topology)",
			vm->fallback_reason);
		free(why);
		why = NULL;
	}
	ret = boot_tcg(vm, &why);
	free(why);
	return ret;
}

char *vm_qemu_version(const char *qemu_name)
{
	char *qemu = spawn_find_program(qemu_name, NULL), *line;

	if (!qemu)
		return xstrdup("unknown");
	line = spawn_first_line((const char *const[]){ qemu, "-version", NULL });
	free(qemu);
	return line ? line : xstrdup("unknown");
}
