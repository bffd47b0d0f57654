/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What machine and kernel a result came from: everything a reader of a
 * changelog table needs to judge whether two runs are comparable.
 */
#ifndef FB_SYSINFO_H
#define FB_SYSINFO_H

#include <jansson.h>

struct topo;

/*
 * JSON object: kernel release and version, /proc/cmdline, hostname, CPU model,
 * topology summary, THP settings (enabled, defrag, shmem_enabled), fault_around_bytes
 * (or why it is unreadable), cpufreq governor(s), memory size, virtualization
 * (from /sys/hypervisor or cpuid), date (ISO 8601 UTC).
 */
json_t *sysinfo_collect(const struct topo *t);

/* "[madvise]" -> "madvise": the selected word of a sysfs choice file, or NULL. */
char *sysfs_selected_choice(const char *path);
/* The value of the first "key<tabs>: value" line of /proc text (cpuinfo), malloc'd; text cut. */
char *sysinfo_field(char *text, const char *key);

#endif
