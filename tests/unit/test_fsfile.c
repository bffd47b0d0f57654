// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/fsfile.c: the unnamed scratch file leaves no name behind,
 * a scratch directory is private and its failure names the parent, removing a
 * tree never follows a link out of it,
 * a directory not made yet is judged by its nearest parent, tmpfs is refused
 * with the caller's status and reason, and fb-exec-helper is found by the one
 * rule ($FB_EXEC_HELPER, else beside the binary; never PATH).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
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

static char dir[] = "/tmp/fb-test-fsfile.XXXXXX";

static int setup(void **state)
{
	fb_set_quiet(true);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(dir);
}

static unsigned entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_unnamed(void **state)
{
	char buf[8] = "";
	int fd = fsfile_open_unnamed(dir);

	assert_true(fd >= 0);
	/* nothing to clean up, whichever way it was made */
	assert_int_equal(entries(dir), 0);
	assert_int_equal(pwrite(fd, "data", 4, 0), 4);
	assert_int_equal(pread(fd, buf, 4, 0), 4);
	assert_string_equal(buf, "data");
	close(fd);
	assert_int_equal(fsfile_open_unnamed("/nonexistent-dir"), -ENOENT);
}

static void test_statfs_nearest(void **state)
{
	char sub[PATH_MAX];
	long t, want, root;

	assert_int_equal(fsfile_statfs_type(dir, 0, &want), 0);
	snprintf(sub, sizeof(sub), "%s/not/made/yet", dir);
	assert_int_equal(fsfile_statfs_type(sub, 0, &t), -ENOENT);
	t = 0;
	assert_int_equal(fsfile_statfs_type(sub, FSFILE_NEAREST, &t), 0);
	assert_int_equal(t, want);
	/* an absolute name with nothing of it there: the root's */
	assert_int_equal(fsfile_statfs_type("/", 0, &root), 0);
	assert_int_equal(fsfile_statfs_type("/nonexistent-dir/x", FSFILE_NEAREST, &t), 0);
	assert_int_equal(t, root);
	/* a relative one: the current directory's */
	assert_int_equal(fsfile_statfs_type(".", 0, &want), 0);
	assert_int_equal(fsfile_statfs_type("fb-no-such-dir/x", FSFILE_NEAREST, &t), 0);
	assert_int_equal(t, want);
	assert_true(fsfile_is_fs("/proc", PROC_SUPER_MAGIC));
	assert_false(fsfile_is_fs("/proc", TMPFS_MAGIC));
	assert_false(fsfile_is_fs("/nonexistent-dir", TMPFS_MAGIC));
}

static void test_names(void **state)
{
	assert_true(fsfile_is_memory(TMPFS_MAGIC));
	assert_true(fsfile_is_memory(RAMFS_MAGIC));
	assert_false(fsfile_is_memory(EXT4_SUPER_MAGIC));
	assert_string_equal(fsfile_fs_name(EXT4_SUPER_MAGIC), "ext2/3/4");
	assert_string_equal(fsfile_fs_name(XFS_SUPER_MAGIC), "xfs");
	assert_string_equal(fsfile_fs_name(TMPFS_MAGIC), "tmpfs");
	assert_string_equal(fsfile_fs_name(PROC_SUPER_MAGIC), "other");
}

static void test_need_disk(void **state)
{
	long t;

	if (fsfile_is_fs("/dev/shm", TMPFS_MAGIC)) {
		assert_int_equal(fsfile_need_disk("/dev/shm", 0, FB_SKIP, "who", "why", &t),
				 FB_SKIP);
		assert_string_equal(fb_last_error(), "skipped: who needs a disk filesystem, but "
						     "'/dev/shm' is on tmpfs: why");
		/* the caller's status: stress answers "cannot decide" */
		assert_int_equal(
		    fsfile_need_disk("/dev/shm/x/y", FSFILE_NEAREST, FB_UNDECIDED, "w", "y", NULL),
		    FB_UNDECIDED);
	}
	assert_int_equal(fsfile_need_disk("/nonexistent-dir", 0, FB_SKIP, "who", "why", NULL),
			 FB_USAGE);
	assert_string_equal(fb_last_error(),
			    "option '--dir': '/nonexistent-dir': No such file or directory");
	/* /proc is no disk either, but not memory: only tmpfs and ramfs are refused */
	assert_int_equal(fsfile_need_disk("/proc", 0, FB_SKIP, "who", "why", &t), FB_OK);
	assert_int_equal(t, PROC_SUPER_MAGIC);
	assert_int_equal(fsfile_fs_type("tmpfs-dir", "/nonexistent-dir", 0, &t), FB_USAGE);
	assert_string_equal(fb_last_error(),
			    "option '--tmpfs-dir': '/nonexistent-dir': No such file or directory");
}

static void test_exec_helper(void **state)
{
	char buf[PATH_MAX], *self = fsfile_self_dir(), *want;
	char small[8];

	/* beside this binary (build/tests/ has none), never from PATH */
	unsetenv("FB_EXEC_HELPER");
	want = xasprintf("%s/fb-exec-helper", self);
	assert_int_equal(fsfile_exec_helper(buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, want);
	free(want);
	assert_int_equal(fsfile_exec_helper(small, sizeof(small)), -ENAMETOOLONG);

	setenv("FB_EXEC_HELPER", "/bin/sh", 1);
	assert_int_equal(fsfile_exec_helper(buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/bin/sh");
	/* set: that or nothing */
	setenv("FB_EXEC_HELPER", "/nonexistent-helper", 1);
	assert_int_equal(fsfile_exec_helper(buf, sizeof(buf)), -ENOENT);
	setenv("FB_EXEC_HELPER", "/tmp", 1);
	assert_int_equal(fsfile_exec_helper(buf, sizeof(buf)), -EACCES);
	unsetenv("FB_EXEC_HELPER");
	free(self);
}

static void test_self_dir(void **state)
{
	char exe[PATH_MAX], *self = fsfile_self_dir();
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	assert_true(n > 0);
	exe[n] = '\0';
	assert_int_equal(strncmp(exe, self, strlen(self)), 0);
	assert_string_equal(exe + strlen(self), "/test_fsfile");
	free(self);
}

static char *at(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs("x", f);
	fclose(f);
}

static void test_mkdtemp(void **state)
{
	char *tmpl = at("made.XXXXXX"), *bad = at("no/such/x.XXXXXX");
	struct stat st;

	assert_int_equal(fsfile_mkdtemp(tmpl, "test", FB_FAIL), FB_OK);
	assert_int_equal(stat(tmpl, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(rmdir(tmpl), 0);
	/* the caller's status, errno kept for callers that say more */
	assert_int_equal(fsfile_mkdtemp(bad, "test", FB_USAGE), FB_USAGE);
	assert_int_equal(errno, ENOENT);
	free(tmpl);
	free(bad);
}

/*
 * A tree with links pointing out of it (to a directory, a file, nowhere) and
 * a deep chain: all of it goes, and nothing the links point to.
 */
static void test_remove_tree(void **state)
{
	char *out = at("outside"), *out_file = at("outside/keep"), *tree = at("tree");
	char *paths[] = { at("tree/a"),	      at("tree/a/b"), at("tree/a/b/c"),
			  at("tree/a/b/c/f"), at("tree/f"),   at("tree/.hidden") };
	char *to_dir = at("tree/a/link-dir"), *to_file = at("tree/a/b/link-file");
	char *dangling = at("tree/dangling"), *fifo = at("tree/a/fifo");
	struct stat st;

	assert_int_equal(mkdir(out, 0755), 0);
	touch(out_file);
	assert_int_equal(mkdir(tree, 0755), 0);
	assert_int_equal(mkdir(paths[0], 0755), 0);
	assert_int_equal(mkdir(paths[1], 0755), 0);
	assert_int_equal(mkdir(paths[2], 0700), 0);
	touch(paths[3]);
	touch(paths[4]);
	touch(paths[5]);
	assert_int_equal(symlink(out, to_dir), 0);
	assert_int_equal(symlink(out_file, to_file), 0);
	assert_int_equal(symlink("/nonexistent/x", dangling), 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);

	assert_int_equal(fsfile_remove_tree(tree), 0);
	assert_int_equal(lstat(tree, &st), -1);
	assert_int_equal(errno, ENOENT);
	/* what the links pointed to is untouched */
	assert_int_equal(stat(out_file, &st), 0);
	assert_int_equal(entries(out), 1);
	/* gone already: nothing to do, no error (rm -f) */
	assert_int_equal(fsfile_remove_tree(tree), 0);

	/* the path itself a link to a directory: the link goes, not what it points to */
	assert_int_equal(symlink(out, tree), 0);
	assert_int_equal(fsfile_remove_tree(tree), 0);
	assert_int_equal(lstat(tree, &st), -1);
	assert_int_equal(stat(out_file, &st), 0);

	/* a plain file */
	assert_int_equal(fsfile_remove_tree(out_file), 0);
	assert_int_equal(fsfile_remove_tree(out), 0);
	assert_int_equal(entries(dir), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(paths); i++)
		free(paths[i]);
	free(out);
	free(out_file);
	free(tree);
	free(to_dir);
	free(to_file);
	free(dangling);
	free(fifo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unnamed),	    cmocka_unit_test(test_statfs_nearest),
		cmocka_unit_test(test_names),	    cmocka_unit_test(test_need_disk),
		cmocka_unit_test(test_exec_helper), cmocka_unit_test(test_self_dir),
		cmocka_unit_test(test_mkdtemp),	    cmocka_unit_test(test_remove_tree),
	};

	return cmocka_run_group_tests_name("fsfile", tests, setup, teardown);
}
