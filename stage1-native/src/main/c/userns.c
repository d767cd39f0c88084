/*
 * --private-users: a pod's apps in a user namespace whose uids and gids 0..count-1 are
 * shift..shift+count-1 on the host (rkt's --private-users, podman's --userns=auto).
 *
 *   stage0                 rkj-stage1 idmap SHIFT COUNT TREE MNT   (per app, before `run`)
 *     open_tree(TREE, CLONE) + mount_setattr(IDMAP, a throwaway user namespace of the same
 *     mapping) + move_mount to MNT: the image's root-owned files show as SHIFT; stage0 mounts
 *     the overlay on MNT as its lower layer, then detaches MNT (the overlay keeps it). Its upper
 *     directory is not idmapped: what an app writes is owned by SHIFT+uid on the host.
 *
 *   PID 1 (host root, its own mount, PID... namespaces owned by the host's user namespace)
 *     mounts /proc, /sys, /dev nodes, cgroups and volumes as without --private-users, then
 *     userns_make: a child unshares CLONE_NEWUSER, PID 1 writes its uid_map and gid_map, keeps
 *     /proc/<child>/ns/user open, the child exits.
 *   app (forked by PID 1)  after its cgroup joins and oom_score_adj: setns into that namespace
 *     (app.c), then chroot, ids, capabilities and seccomp there. Its capabilities are the user
 *     namespace's: they give nothing over the host's files, mounts or network.
 *   rkj-stage1 enter       joins the user namespace of one of the pod's apps (userns_of_pod).
 */
#include "rkj-stage1.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_map(pid_t pid, const char *file, uint32_t shift, uint32_t count, struct err *err)
{
	char path[64], map[64];
	cleanup_close int fd = -1;
	int n = snprintf(map, sizeof map, "0 %u %u\n", shift, count);

	snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, map, (size_t)n) < 0)
		return fail_errno(err, "write", path);
	return 0;
}

/* A user namespace mapping 0..count-1 to shift.. (uids and gids), as an open descriptor. */
static int make(uint32_t shift, uint32_t count, int *out, struct err *err)
{
	char path[64];
	int ready[2], go[2], status;
	char byte = 0;
	pid_t child;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return fail_errno(err, "pipe2", NULL);
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return fail_errno(err, "pipe2", NULL);
	}
	child = fork();
	if (child == 0) { /* holds the namespace until its maps are written and it is opened */
		close(ready[0]);
		close(go[1]);
		byte = unshare(CLONE_NEWUSER) < 0 ? (char)errno : 0;
		if (write(ready[1], &byte, 1) == 1 && !byte)
			while (read(go[0], &byte, 1) < 0 && errno == EINTR)
				;
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	if (child < 0) {
		close(ready[0]);
		close(go[1]);
		return fail_errno(err, "fork", "user namespace");
	}
	*out = -1;
	if (read(ready[0], &byte, 1) != 1)
		fail(err, "unshare", "CLONE_NEWUSER", EIO, "the user namespace's holder died");
	else if (byte)
		fail(err, "unshare", "CLONE_NEWUSER", byte, NULL);
	else if (write_map(child, "uid_map", shift, count, err) == 0 &&
		 write_map(child, "gid_map", shift, count, err) == 0) {
		snprintf(path, sizeof path, "/proc/%d/ns/user", child);
		*out = open(path, O_RDONLY | O_CLOEXEC);
		if (*out < 0)
			fail_errno(err, "open", path);
	}
	close(ready[0]);
	close(go[1]); /* EOF: the holder exits */
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	return *out < 0 ? -1 : 0;
}

int userns_make(const struct plan *plan, int *fd, struct err *err)
{
	return make(plan->uid_shift, plan->uid_count, fd, err);
}

int userns_join(int fd, const char *shown, struct err *err)
{
	if (setns(fd, CLONE_NEWUSER) < 0)
		return fail(err, "setns", shown, errno, "app `%s`: cannot join the pod's user namespace: %s",
			    shown, strerror(errno));
	return 0;
}

/* The parent pid in /proc/<pid>/stat (after the command's closing parenthesis). */
static pid_t parent_of(const char *pid)
{
	char path[300], buf[512], *p;
	cleanup_close int fd = -1;
	ssize_t n;

	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof buf - 1)) <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p ? (pid_t)strtol(p + 3, NULL, 10) : -1; /* ") S PPID" */
}

int userns_of_pod(pid_t pid1, int *fd, struct err *err)
{
	char path[300];
	struct stat ours, theirs;
	struct dirent *d;
	DIR *proc = opendir("/proc");

	if (!proc)
		return fail_errno(err, "opendir", "/proc");
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid1);
	if (stat(path, &ours) < 0) {
		closedir(proc);
		return fail_errno(err, "stat", path);
	}
	*fd = -1;
	while (*fd < 0 && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9' || parent_of(d->d_name) != pid1)
			continue;
		snprintf(path, sizeof path, "/proc/%s/ns/user", d->d_name);
		if (stat(path, &theirs) == 0 && theirs.st_ino != ours.st_ino)
			*fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	closedir(proc);
	if (*fd < 0)
		return fail(err, "enter", "user namespace", ESRCH,
			    "the pod runs with --private-users but no app of it runs now: nothing to enter");
	return 0;
}

static int id_arg(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long n = strtoull(s, &end, 10);

	if (!*s || *s == '-' || *end || n < 1 || n > 0xfffffffeULL)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

int idmap_main(int argc, char **argv)
{
	struct err err = { 0 };
	uint32_t shift, count;
	cleanup_close int ns = -1, tree = -1;
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };

	if (argc != 4 || id_arg(argv[0], &shift) < 0 || id_arg(argv[1], &count) < 0 ||
	    (uint64_t)shift + count > 0xffffffffULL) {
		fprintf(stderr, "usage: rkj-stage1 idmap <shift> <count> <source> <target>\n");
		return EXIT_STAGE1;
	}
	if (make(shift, count, &ns, &err) < 0)
		goto out;
	attr.userns_fd = (uint64_t)ns;
	tree = (int)syscall(SYS_open_tree, AT_FDCWD, argv[2],
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0) {
		fail_errno(&err, "open_tree", argv[2]);
		goto out;
	}
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) {
		fail(&err, "mount_setattr", argv[2], errno,
		     "%s: --private-users needs idmapped mounts (Linux 5.12, and this filesystem's support)",
		     strerror(errno));
		goto out;
	}
	if (syscall(SYS_move_mount, tree, "", AT_FDCWD, argv[3], MOVE_MOUNT_F_EMPTY_PATH) < 0)
		fail_errno(&err, "move_mount", argv[3]);
out:
	if (!err.call[0])
		return 0;
	err_print(&err);
	return EXIT_STAGE1;
}
