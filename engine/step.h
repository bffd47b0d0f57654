/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data of one measured step: its samples (per worker deltas of the
 * benchmark's counters, the kernel's fault counts and perf events) and the
 * metrics derived from them.  The runner fills the samples; the derivations
 * (engine/results.c, engine/evidence.c, engine/mempolicy.c and a benchmark's
 * own derive()) add metrics through step_add_metric(); results.c writes it.
 * This header depends on nothing else of the engine, so every one of them
 * can include it without a circle.
 */
#ifndef FB_STEP_H
#define FB_STEP_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#define FB_MAX_COUNTERS 4
#define FB_MAX_EVENTS	16

/* A per-step figure derived from the samples, with one value per sample. */
struct metric {
	char name[48]; /* "pages/s", "faults/s", "pages/fault", "MiB/s" */
	bool higher_better;
	bool neither; /* no better direction (pages/fault): written as "higher_better": null */
	double *v;    /* per sample */
	unsigned n;
	double value; /* over the whole measured interval (totals / total time) */
};

struct intf_sample;

struct sample {
	double t;	   /* duration in seconds, measured */
	double start_unix; /* CLOCK_REALTIME at its start, s since the epoch */
	/* per worker, deltas over the sample: */
	uint64_t (*count)[FB_MAX_COUNTERS];
	uint64_t *minflt, *majflt;
	int32_t *cpu;		       /* CPU each worker last ran on at the end (/proc stat) */
	uint64_t (*ev)[FB_MAX_EVENTS]; /* perf event deltas, nevents used */
	/* system-wide monitors (engine/monitor.h), nmonitors deltas; NULL when off */
	uint64_t *mon;		  /* UINT64_MAX: not read at one end */
	double mon_t;		  /* seconds between the two monitor readings */
	struct intf_sample *intf; /* interference (engine/interference.h), or NULL */
};

struct step_result {
	char variant[64]; /* matrix option values joined by '/': "thp/own"; "" if none */
	unsigned ncpus;
	unsigned *pus;
	const char *what;
	unsigned repeat;
	unsigned nsamples;
	struct sample *samples;
	unsigned nmetrics;
	struct metric *metrics;
	unsigned nevents;
	char (*event_names)[64];
	unsigned nmonitors;
	char (*monitor_names)[48]; /* "vmstat:pgfault", "interrupts:TLB", ... */
	json_t *extra;		   /* bench report(), evidence, placement */
	bool complete;
};

void step_result_free(struct step_result *r);
/* Free what one sample holds (not the sample itself). */
void sample_free(struct sample *s);

/* Add a metric with room for n per-sample values; returns it. */
struct metric *step_add_metric(struct step_result *r, const char *name, bool higher_better);
/* Look a metric up by name, or NULL. */
const struct metric *step_metric(const struct step_result *r, const char *name);
/* Sum of counter i over all workers in sample s / its duration. */
double sample_rate(const struct step_result *r, unsigned s, unsigned counter);

#endif
