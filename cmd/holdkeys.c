// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench hold-keys: open the evidence counters every run uses (software
 * events, the sched_switch tracepoint, and --event extras) on this process and
 * keep them open until killed, so the kernel's static keys behind them stay
 * switched on between runs.
 *
 * Why: the first counter of a kind patches kernel text (text_poke_bp(): int3
 * and an IPI to every CPU), the last close patches it back.  A run keeps its
 * own counters for its whole life (engine/evidence.c), but every run still
 * switches the keys on at its start and off at its exit.  Under TCG that
 * patching froze 2x4 guests about one boot in five (qemu 7.2, 6.1 guest),
 * so `faultbench vm`'s guest init starts this before the command.  On a big
 * host it spares each run of a suite two machine-wide patchings.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "cmds.h"
#include "evidence.h"
#include "opt.h"
#include "runopts.h"
#include "util.h"

struct hold_opts {
	const char *events;
	double seconds;
};

#define H(field) offsetof(struct hold_opts, field)

const struct opt hold_options[] = {
	{ .name = "event",
	  .type = OPT_STR,
	  .off = H(events),
	  .help = "more events to hold, as 'faultbench run --event' takes them" },
	{ .name = "seconds",
	  .type = OPT_DOUBLE,
	  .def = "0",
	  .min = 0,
	  .max = 1e9,
	  .off = H(seconds),
	  .help = "give up the keys after this long; 0: only when killed (SIGTERM, SIGINT)" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: faultbench hold-keys [options]\n\n"
		"Keep the kernel's perf static keys (software events, sched_switch) switched\n"
		"on until killed, so runs do not patch kernel text at their start and exit.\n"
		"Example:  faultbench hold-keys & keeper=$!; faultbench suite ...; kill $keeper\n"
		"\noptions:\n");
	opt_print_help(f, hold_options);
	return FB_USAGE;
}

int cmd_hold_keys(int argc, char **argv)
{
	struct hold_opts o;
	struct opt_binding b = { hold_options, &o };
	struct evidence *ev;
	int npos, err;
	double end;

	err = opt_parse_command(&b, argc, argv, false, usage, &npos);
	if (err)
		return err < 0 ? FB_OK : err;
	fb_install_signal_handlers();
	if (npos)
		return fb_usage("hold-keys takes no arguments, got '%s'", argv[1]);
	/* Creating the event list probes every event on ourselves and keeps the probes. */
	/* every key any run may switch on, --counters=full's too */
	err = evidence_create(&ev, COUNTERS_FULL, o.events, 0);
	if (err)
		return err;
	fprintf(stderr, "faultbench: hold-keys: %u events held by pid %d\n", evidence_count(ev),
		(int)getpid());
	evidence_destroy(ev);
	end = now_monotonic() + o.seconds;
	while (!fb_interrupted && (o.seconds == 0 || now_monotonic() < end))
		sleep_until(o.seconds == 0 ? now_monotonic() + 3600 : end);
	/* the signal is how hold-keys is told to end: its normal end, exit 0 */
	fb_interrupted = 0;
	return FB_OK;
}
