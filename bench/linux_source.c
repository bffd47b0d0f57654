// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux source tree kernbench --tree kernel builds.  Debian ships it as a
 * tarball (/usr/src/linux-source-6.1.tar.xz from the linux-source-6.1
 * package); unpacking it takes seconds and 1.4 GB, so it is done once per
 * package version into ~/.cache/faultbench/linux-source/<version> and reused.
 *
 * The unpack is atomic: tar extracts into .unpack-<pid> next to the cache
 * entry, which is renamed into place only when tar succeeded.  An interrupted
 * unpack leaves a .unpack-<pid> that is never used (and is removed by a later
 * run once that pid is gone); a half tree is never built.  Two runs unpacking
 * at once both succeed: the second rename fails and that run uses the first's.
 *
 * The tree is never written: builds go to a directory of their own (make O=),
 * so concurrent runs and later runs share one clean tree.
 *
 * $FB_LINUX_SOURCE overrides the package: a source directory, used as is, or
 * a tarball (with one top directory), unpacked into the same cache under its
 * file name.  The e2e tests point it at a fake tree.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsfile.h"
#include "linux_source.h"
#include "spawn.h"
#include "util.h"

#define DEBIAN_TARBALL "/usr/src/" LINUX_SOURCE_PKG ".tar.xz"

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* A directory with a top-level Makefile: what make -C needs. */
static bool is_tree(const char *dir)
{
	char mk[PATH_MAX + 16];

	snprintf(mk, sizeof(mk), "%s/Makefile", dir);
	return is_file(mk);
}

static bool have_program(const char *name)
{
	char *path = spawn_find_program(name, NULL);

	free(path);
	return path != NULL;
}

/*
 * The Debian packages still missing for a build from the package, as a
 * space-separated list ("" when none).  Each is tested by what the build uses
 * from it.  The tinyconfig set (besides make and gcc) was found by trying on
 * x86-64: kconfig needs flex and bison, kernel/time/timeconst.h bc; a build
 * without libelf-dev succeeded (tinyconfig's unwinder is UNWINDER_GUESS: no
 * objtool).  Bigger configs (defconfig: the ORC unwinder's objtool, the
 * certificate tools) need libelf-dev and libssl-dev too, as the kernel's
 * Documentation/process/changes.rst says; not tried here.
 */
static void missing_packages(char *buf, size_t len, bool full_config)
{
	static const struct {
		const char *pkg, *file; /* file: a program in PATH, or an absolute path */
		bool full_only;
	} need[] = {
		{ LINUX_SOURCE_PKG, DEBIAN_TARBALL },
		{ "flex", "flex" },
		{ "bison", "bison" },
		{ "bc", "bc" },
		{ "libelf-dev", "/usr/include/gelf.h", true },
		{ "libssl-dev", "/usr/include/openssl/ssl.h", true },
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(need); i++) {
		bool ok =
		    need[i].file[0] == '/' ? is_file(need[i].file) : have_program(need[i].file);

		if (!ok && (full_config || !need[i].full_only))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? " " : "",
				      need[i].pkg);
	}
}

static bool can_install(void)
{
	return geteuid() == 0 && have_program("apt-get");
}

int linux_source_check(bool full_config)
{
	const char *env = getenv("FB_LINUX_SOURCE");
	char missing[256];

	if (env && *env) {
		if (is_dir(env) ? is_tree(env) : is_file(env))
			return FB_OK;
		return fb_usage("FB_LINUX_SOURCE: '%s' is neither a source tree (a directory "
				"with a Makefile) nor a tarball",
				env);
	}
	missing_packages(missing, sizeof(missing), full_config);
	if (!*missing || can_install())
		return FB_OK;
	return fb_skip("kernbench: --tree kernel needs %s, not installed (and faultbench installs "
		       "only as root with apt-get): run 'apt-get install %s', or point "
		       "FB_LINUX_SOURCE at a kernel tree",
		       missing, missing);
}

/* apt-get install of the missing packages; FB_OK, or FB_SKIP with apt's last words. */
static int install(const char *missing)
{
	char *cmd = xasprintf("apt-get install -y --no-install-recommends %s", missing);
	char *argv[16], *words = xstrdup(missing), *save = NULL, why[256];
	unsigned n = 0;
	int ret = FB_OK;

	argv[n++] = "apt-get";
	argv[n++] = "install";
	argv[n++] = "-y";
	argv[n++] = "--no-install-recommends";
	for (char *w = strtok_r(words, " ", &save); w && n < ARRAY_SIZE(argv) - 1;
	     w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n] = NULL;
	fprintf(stderr, "faultbench: kernbench: installing what --tree kernel needs: %s\n", cmd);

	struct spawn sp = {
		.argv = (const char *const *)argv,
		.env = (const char *const[]){ "DEBIAN_FRONTEND=noninteractive", NULL },
		.in = { SPAWN_NULL },
		.out = { SPAWN_NULL },
		.err = { SPAWN_CAPTURE },
		.pass_interrupt = true,
	};

	spawn_run(&sp);
	if (fb_interrupted) {
		ret = 128 + fb_interrupted;
	} else if (sp.code) {
		char *last = sp.err_buf ? strrchr(sp.err_buf, '\n') : NULL;

		while (last && last > sp.err_buf && !last[1]) {
			*last = '\0';
			last = strrchr(sp.err_buf, '\n');
		}
		ret = fb_skip("kernbench: '%s' failed (%s)%s%s", cmd,
			      spawn_describe(&sp, why, sizeof(why)), sp.err_buf ? ": " : "",
			      sp.err_buf ? (last ? last + 1 : sp.err_buf) : "");
	}
	spawn_clear(&sp);
	free(words);
	free(cmd);
	return ret;
}

int linux_source_remove(const char *path)
{
	int ret = fsfile_remove_tree(path);

	if (ret)
		fb_warn("kernbench: could not remove '%s': %s", path, strerror(-ret));
	return ret;
}

/* $XDG_CACHE_HOME/faultbench/linux-source, or ~/.cache/...; NULL without either. */
static char *cache_root(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return xasprintf("%s/faultbench/linux-source", xdg);
	if (home && home[0] == '/')
		return xasprintf("%s/.cache/faultbench/linux-source", home);
	return NULL;
}

/* A version or file name as one safe path component. */
static void cache_key(char *key, size_t len, const char *from)
{
	size_t i;

	snprintf(key, len, "%s", from);
	for (i = 0; key[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    key[i]))
			key[i] = '_';
	if (key[0] == '.' || !key[0])
		key[0] = '_';
}

/* Remove .unpack-<pid> directories whose unpacking process is gone. */
static void remove_stale(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *end, *path;
		long pid;

		if (strncmp(e->d_name, ".unpack-", 8))
			continue;
		pid = strtol(e->d_name + 8, &end, 10);
		if (*end || pid <= 0 || pid == getpid() || !kill(pid, 0) || errno != ESRCH)
			continue;
		path = xasprintf("%s/%s", root, e->d_name);
		linux_source_remove(path);
		free(path);
	}
	closedir(d);
}

/* The one directory tar made in tmp, or NULL. */
static char *top_dir(const char *tmp)
{
	DIR *d = opendir(tmp);
	struct dirent *e;
	char *found = NULL;
	unsigned n = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		free(found);
		found = xasprintf("%s/%s", tmp, e->d_name);
	}
	closedir(d);
	if (n != 1 || !is_dir(found)) {
		free(found);
		return NULL;
	}
	return found;
}

static int untar(const char *tarball, const char *tmp)
{
	char why[256];
	struct spawn sp = {
		.argv = (const char *const[]){ "tar", "-xf", tarball, "-C", tmp, NULL },
		.in = { SPAWN_NULL },
		.out = { SPAWN_NULL },
		.err = { SPAWN_CAPTURE },
		.own_group = true,
		.pass_interrupt = true,
	};
	int ret = FB_OK;

	spawn_run(&sp);
	if (fb_interrupted)
		ret = 128 + fb_interrupted;
	else if (sp.code)
		ret = fb_fail("kernbench: 'tar -xf %s' failed (%s)%s%s", tarball,
			      spawn_describe(&sp, why, sizeof(why)), sp.err_buf ? ": " : "",
			      sp.err_buf ? sp.err_buf : "");
	spawn_clear(&sp);
	return ret;
}

/* The cache entry for key, unpacked from tarball when it is not there yet. */
static int unpack_cached(const char *tarball, const char *key, struct linux_source *ls)
{
	char *root = cache_root(), *tmp = NULL, *top = NULL, *final = NULL;
	int ret = FB_OK;

	if (!root)
		return fb_fail("kernbench: no cache directory for the kernel tree: set HOME or "
			       "XDG_CACHE_HOME");
	final = xasprintf("%s/%s", root, key);
	if (is_tree(final))
		goto done;
	if (mkdir_p(root)) {
		ret = fb_fail("kernbench: cannot create '%s': %s", root, strerror(errno));
		goto out;
	}
	remove_stale(root);
	tmp = xasprintf("%s/.unpack-%ld", root, (long)getpid());
	linux_source_remove(tmp);
	if (mkdir(tmp, 0755)) {
		ret = fb_fail("kernbench: cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fprintf(stderr, "faultbench: kernbench: unpacking %s into %s (once; later runs reuse it)\n",
		tarball, final);
	ret = untar(tarball, tmp);
	if (ret)
		goto out;
	top = top_dir(tmp);
	if (!top || !is_tree(top)) {
		ret = fb_fail("kernbench: '%s' does not hold one source directory with a Makefile",
			      tarball);
		goto out;
	}
	/* Another run may have finished first: its tree is as good as ours. */
	if (rename(top, final) && !is_tree(final)) {
		ret = fb_fail("kernbench: cannot rename '%s' to '%s': %s", top, final,
			      strerror(errno));
		goto out;
	}
done:
	snprintf(ls->dir, sizeof(ls->dir), "%s", final);
out:
	if (tmp)
		linux_source_remove(tmp);
	free(top);
	free(tmp);
	free(final);
	free(root);
	return ret;
}

static int from_env(const char *env, struct linux_source *ls)
{
	const char *base = strrchr(env, '/') ? strrchr(env, '/') + 1 : env;
	char key[128], *dot;

	if (is_dir(env)) {
		if (!realpath(env, ls->dir))
			return fb_fail("FB_LINUX_SOURCE: '%s': %s", env, strerror(errno));
		snprintf(ls->version, sizeof(ls->version), "%s", base);
		return FB_OK;
	}
	cache_key(key, sizeof(key), base);
	dot = strstr(key, ".tar");
	if (dot && dot != key)
		*dot = '\0';
	snprintf(ls->version, sizeof(ls->version), "%s", key);
	return unpack_cached(env, key, ls);
}

int linux_source_get(struct linux_source *ls, bool full_config)
{
	const char *env = getenv("FB_LINUX_SOURCE");
	char missing[256], key[128];
	char *version;
	int ret;

	if (fb_interrupted)
		return 128 + fb_interrupted;
	ret = linux_source_check(full_config);
	if (ret)
		return ret;
	if (env && *env)
		return from_env(env, ls);
	missing_packages(missing, sizeof(missing), full_config);
	if (*missing) {
		ret = install(missing);
		if (ret)
			return ret;
	}
	version = spawn_first_line(
	    (const char *const[]){ "dpkg-query", "-W", "-f=${Version}\n", LINUX_SOURCE_PKG, NULL });
	snprintf(ls->version, sizeof(ls->version), "%s %s", LINUX_SOURCE_PKG,
		 version ? version : "unknown");
	cache_key(key, sizeof(key), version ? version : LINUX_SOURCE_PKG);
	free(version);
	return unpack_cached(DEBIAN_TARBALL, key, ls);
}
