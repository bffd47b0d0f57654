// SPDX-License-Identifier: GPL-2.0
/*
 * Machine and kernel metadata recorded with every result.
 *
 * A fault-path number is only comparable with another taken under the same
 * THP mode, fault_around_bytes, cpufreq governor, NUMA balancing setting and
 * virtualization: each of those changes the figures by more than most patches
 * do.  So everything is recorded, and whatever cannot be read is recorded as
 * null or as the reason, never guessed and never fatal.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "fsfile.h"
#include "mempolicy.h"
#include "sysinfo.h"
#include "topo.h"
#include "util.h"

#define THP_DIR	    "/sys/kernel/mm/transparent_hugepage"
#define DEBUGFS_DIR "/sys/kernel/debug"

/* The string, or JSON null when the value is unknown; takes ownership of s. */
static json_t *string_or_null(char *s)
{
	json_t *j = s ? json_string(s) : json_null();

	free(s);
	return j ? j : json_null(); /* json_string() refuses invalid UTF-8 */
}

/* A file holding one integer, or null. */
static json_t *int_file(const char *path)
{
	char *s = read_first_line(path), *end;
	long long v;
	json_t *j = json_null();

	if (!s)
		return j;
	errno = 0;
	v = strtoll(s, &end, 0);
	if (!errno && end != s)
		j = json_integer(v);
	free(s);
	return j;
}

char *sysfs_selected_choice(const char *path)
{
	char *s = read_first_line(path), *open, *close, *word = NULL;

	if (!s)
		return NULL;
	open = strchr(s, '[');
	close = open ? strchr(open, ']') : NULL;
	if (close && close > open + 1) {
		*close = '\0';
		word = xstrdup(open + 1);
	}
	free(s);
	return word;
}

static json_t *kernel_json(void)
{
	json_t *k = json_object();
	struct utsname u;
	char *cmdline = read_first_line("/proc/cmdline");

	if (uname(&u) == 0) {
		json_object_set_new(k, "release", json_string(u.release));
		json_object_set_new(k, "version", json_string(u.version));
		json_object_set_new(k, "machine", json_string(u.machine));
	} else {
		json_object_set_new(k, "release", json_null());
		json_object_set_new(k, "version", json_null());
	}
	if (cmdline) {
		/* trailing blanks are noise when two records are diffed */
		size_t n = strlen(cmdline);

		while (n && isspace((unsigned char)cmdline[n - 1]))
			cmdline[--n] = '\0';
	}
	json_object_set_new(k, "cmdline", string_or_null(cmdline));
	return k;
}

static json_t *hostname_json(void)
{
	char h[HOST_NAME_MAX + 1];

	if (gethostname(h, sizeof(h)) != 0)
		return json_null();
	h[sizeof(h) - 1] = '\0';
	return string_or_null(xstrdup(h));
}

char *sysinfo_field(char *text, const char *key)
{
	char *line, *save = NULL, *val = NULL;
	size_t klen = strlen(key);

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, klen) ||
		    (line[klen] != ' ' && line[klen] != '\t' && line[klen] != ':'))
			continue;
		char *colon = strchr(line + klen, ':');

		if (!colon)
			continue;
		colon++;
		while (isspace((unsigned char)*colon))
			colon++;
		val = xstrdup(colon);
		break;
	}
	return val;
}

/* Value of the first "key<tabs>: value" line of a /proc file such as cpuinfo. */
static char *proc_field(const char *path, const char *key)
{
	char *text = read_text_file(path), *val;

	if (!text)
		return NULL;
	val = sysinfo_field(text, key);
	free(text);
	return val;
}

static json_t *memory_json(void)
{
	char *s = proc_field("/proc/meminfo", "MemTotal");
	unsigned long long kb;
	json_t *j = json_null();

	if (s && sscanf(s, "%llu", &kb) == 1)
		j = json_integer((json_int_t)(kb * 1024));
	free(s);
	return j;
}

static int cmp_size_suffix(const void *a, const void *b)
{
	long x = atol(strrchr(*(char *const *)a, '-') + 1);
	long y = atol(strrchr(*(char *const *)b, '-') + 1);

	return (x > y) - (x < y);
}

/*
 * Each mTHP size's own anon setting: "inherit" means it follows thp.enabled;
 * null where the size exists only for shmem (no "enabled" file).
 */
static json_t *mthp_json(void)
{
	json_t *m = json_object();
	glob_t g;

	if (glob(THP_DIR "/hugepages-*kB", GLOB_ONLYDIR, NULL, &g) != 0)
		return m;
	/* numeric order, so 8kB..2048kB reads like the ladder it is */
	qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), cmp_size_suffix);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *size = strrchr(g.gl_pathv[i], '-') + 1;
		char *path = xasprintf("%s/enabled", g.gl_pathv[i]);

		json_object_set_new(m, size, string_or_null(sysfs_selected_choice(path)));
		free(path);
	}
	globfree(&g);
	return m;
}

static json_t *thp_json(void)
{
	json_t *t = json_object();

	json_object_set_new(t, "enabled",
			    string_or_null(sysfs_selected_choice(THP_DIR "/enabled")));
	json_object_set_new(t, "defrag", string_or_null(sysfs_selected_choice(THP_DIR "/defrag")));
	json_object_set_new(t, "shmem_enabled",
			    string_or_null(sysfs_selected_choice(THP_DIR "/shmem_enabled")));
	json_object_set_new(t, "hpage_pmd_size", int_file(THP_DIR "/hpage_pmd_size"));
	json_object_set_new(t, "mthp", mthp_json());
	return t;
}

/*
 * fault_around_bytes decides how many file pages one read fault maps, so it
 * changes file-fault rates by an order of magnitude; it lives only in debugfs,
 * which is often unmounted or locked down.  Say which.
 */
static json_t *fault_around_json(void)
{
	char buf[64];
	ssize_t n;
	int fd, err;

	fd = open(DEBUGFS_DIR "/fault_around_bytes", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		err = errno;
		close(fd);
		if (n > 0) {
			char *end;
			long long v;

			buf[n] = '\0';
			v = strtoll(buf, &end, 0);
			if (end != buf)
				return json_integer(v);
			return json_string("unreadable: unexpected content");
		}
		if (n == 0)
			return json_string("unreadable: empty file");
	} else {
		err = errno;
	}
	if (err == ENOENT && !fsfile_is_fs(DEBUGFS_DIR, DEBUGFS_MAGIC))
		return json_string("unreadable: debugfs not mounted at " DEBUGFS_DIR);
	if (err == EPERM)
		return json_string("unreadable: debugfs locked down (EPERM)");
	if (err == EACCES)
		return json_string("unreadable: permission denied (EACCES), needs root");
	char *why = xasprintf("unreadable: %s (%s)", strerror(err), strerrorname_np(err) ?: "?");
	return string_or_null(why);
}

/* Unique governors across all CPUs: a mixed set is itself worth seeing. */
static json_t *governors_json(void)
{
	json_t *set = json_array();
	glob_t g;

	if (glob("/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_governor", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *gov = read_first_line(g.gl_pathv[i]);
			bool seen = false;
			size_t k;
			json_t *v;

			if (!gov)
				continue;
			json_array_foreach (set, k, v)
				seen |= !strcmp(json_string_value(v), gov);
			if (!seen)
				json_array_append_new(set, json_string(gov));
			free(gov);
		}
		globfree(&g);
	}
	if (json_array_size(set) == 0) {
		json_decref(set);
		return json_string("none");
	}
	return set;
}

static bool cpuinfo_has_flag(const char *flag)
{
	char *flags = proc_field("/proc/cpuinfo", "flags"), *tok, *save = NULL;
	bool found = false;

	if (!flags)
		return false;
	for (tok = strtok_r(flags, " ", &save); tok && !found; tok = strtok_r(NULL, " ", &save))
		found = !strcmp(tok, flag);
	free(flags);
	return found;
}

/* The hypervisor's cpuid signature ("KVMKVMKVM", "Microsoft Hv", ...), x86 only. */
static char *cpuid_hypervisor(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return NULL;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	for (int i = 0; i < 12; i++)
		if (sig[i] && !isprint((unsigned char)sig[i]))
			sig[i] = '?';
	return sig[0] ? xstrdup(sig) : NULL;
#else
	return NULL;
#endif
}

static json_t *virtualization_json(void)
{
	json_t *v = json_object();

	json_object_set_new(v, "hypervisor_flag", json_boolean(cpuinfo_has_flag("hypervisor")));
	json_object_set_new(v, "cpuid_signature", string_or_null(cpuid_hypervisor()));
	json_object_set_new(v, "hypervisor_type",
			    string_or_null(read_first_line("/sys/hypervisor/type")));
	json_object_set_new(v, "sys_vendor",
			    string_or_null(read_first_line("/sys/class/dmi/id/sys_vendor")));
	json_object_set_new(v, "product_name",
			    string_or_null(read_first_line("/sys/class/dmi/id/product_name")));
	return v;
}

static json_t *date_json(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

json_t *sysinfo_collect(const struct topo *t)
{
	json_t *o = json_object();
	const char *topo = t ? topo_summary(t) : NULL;

	json_object_set_new(o, "kernel", kernel_json());
	json_object_set_new(o, "hostname", hostname_json());
	json_object_set_new(o, "cpu_model",
			    string_or_null(proc_field("/proc/cpuinfo", "model name")));
	json_object_set_new(o, "topology", string_or_null(topo ? xstrdup(topo) : NULL));
	json_object_set_new(o, "memory", memory_json());
	json_object_set_new(o, "thp", thp_json());
	json_object_set_new(o, "fault_around_bytes", fault_around_json());
	json_object_set_new(o, "cpufreq_governors", governors_json());
	json_object_set_new(o, "virtualization", virtualization_json());
	json_object_set_new(o, "perf_event_paranoid",
			    int_file("/proc/sys/kernel/perf_event_paranoid"));
	json_object_set_new(o, "numa_balancing", int_file("/proc/sys/kernel/numa_balancing"));
	json_object_set_new(o, "numa", numa_describe());
	json_object_set_new(o, "date", date_json());
	return o;
}
