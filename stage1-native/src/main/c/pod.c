/*
 * The pod's PID 1: sets up the root filesystem in its new mount namespace, starts the apps,
 * copies their output to the logs and to stage1's stdout/stderr, reaps every child, writes
 * each app's exit status, and exits when all apps are done.
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- messages to the monitor ---- */

static void send_line(struct pod *pod, const char *line, pid_t cred_pid)
{
	char ctl[CMSG_SPACE(sizeof(struct ucred))] = { 0 };
	struct iovec iov = { (void *)line, strlen(line) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	struct ucred cred = { cred_pid, getuid(), getgid() };

	if (cred_pid > 0) {
		/* the kernel rewrites cred.pid into the receiver's PID namespace */
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof ctl;
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof cred);
		memcpy(CMSG_DATA(c), &cred, sizeof cred);
	}
	while (sendmsg(pod->sock, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void send_error(struct pod *pod, const struct err *err)
{
	char line[2600];

	err_line(err, line, sizeof line);
	send_line(pod, line, 0);
	err_print(err);
}

/* ---- the root filesystem ---- */

/*
 * The image's /proc, /sys and /dev are mount points: each must be a directory (made when
 * absent), never a symlink, which would carry the mount anywhere. Each is opened O_PATH |
 * O_NOFOLLOW below the rootfs and mounted on through /proc/self/fd/N, as crun does. What is
 * below them (/dev's nodes, /dev/pts, /dev/shm, /dev/console, the masks) is ours: a fresh
 * tmpfs, procfs or sysfs holds no image file.
 */
static int image_dir(int root, const char *rootfs, const char *name, int *fd, struct err *err)
{
	char path[4096], target[1024];
	struct stat st;
	ssize_t n;

	if (path_join(path, sizeof path, rootfs, name, err) < 0)
		return -1;
	if (mkdirat(root, name, 0755) < 0 && errno != EEXIST)
		return fail_errno(err, "mkdir", path);
	*fd = openat(root, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return fail_errno(err, "open", path);
	if (fstat(*fd, &st) < 0)
		return fail_errno(err, "fstat", path);
	if (S_ISLNK(st.st_mode)) {
		n = readlinkat(root, name, target, sizeof target - 1);
		target[n < 0 ? 0 : n] = 0;
		return fail(err, "mount", path, ELOOP,
			    "the image's /%s is a symlink to %s: an image must have /%s as a directory"
			    " or not at all", name, target, name);
	}
	if (!S_ISDIR(st.st_mode))
		return fail(err, "mount", path, ENOTDIR,
			    "the image's /%s is not a directory: an image must have /%s as a directory"
			    " or not at all", name, name);
	return 0;
}

/* Mounts on the image's /<name> (see image_dir) without following anything of the image. */
static int mount_image_dir(int root, const char *rootfs, const char *name, const char *src,
			   const char *type, unsigned long flags, const char *data, struct err *err)
{
	char fdpath[64], path[4096];
	cleanup_close int fd = -1;

	if (image_dir(root, rootfs, name, &fd, err) < 0)
		return -1;
	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
	if (mount(src, fdpath, type, flags, data) < 0) {
		snprintf(path, sizeof path, "%s/%s", rootfs, name);
		return fail_errno(err, "mount", path);
	}
	return 0;
}

/* Mounts below a mount of ours (the /dev tmpfs): nothing there comes from the image. */
static int mount_in(struct pod *pod, const char *rel, const char *src, const char *type,
		    unsigned long flags, const char *data, mode_t mode, struct err *err)
{
	char path[4096];

	if (path_join(path, sizeof path, pod->plan.rootfs, rel, err) < 0)
		return -1;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return fail_errno(err, "mkdir", path);
	if (mount(src, path, type, flags, data) < 0)
		return fail_errno(err, "mount", path);
	return 0;
}

static int dev_node(struct pod *pod, const char *name, unsigned maj, unsigned min, struct err *err)
{
	char path[4096];

	if (path_join(path, sizeof path, pod->plan.rootfs, name, err) < 0)
		return -1;
	if (mknod(path, S_IFCHR | 0666, makedev(maj, min)) < 0)
		return fail_errno(err, "mknod", path);
	return 0;
}

static int dev_link(struct pod *pod, const char *target, const char *name, struct err *err)
{
	char path[4096];

	if (path_join(path, sizeof path, pod->plan.rootfs, name, err) < 0)
		return -1;
	if (symlink(target, path) < 0)
		return fail_errno(err, "symlink", path);
	return 0;
}

static int mount_dev(struct pod *pod, int root, struct err *err)
{
	static const struct { const char *name; unsigned maj, min; } nodes[] = {
		{ "dev/null", 1, 3 }, { "dev/zero", 1, 5 }, { "dev/full", 1, 7 },
		{ "dev/random", 1, 8 }, { "dev/urandom", 1, 9 }, { "dev/tty", 5, 0 },
	};
	static const char *links[][2] = {
		{ "pts/ptmx", "dev/ptmx" }, { "/proc/self/fd", "dev/fd" },
		{ "/proc/self/fd/0", "dev/stdin" }, { "/proc/self/fd/1", "dev/stdout" },
		{ "/proc/self/fd/2", "dev/stderr" },
	};
	size_t i;

	if (mount_image_dir(root, pod->plan.rootfs, "dev", "tmpfs", "tmpfs",
			    MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", err) < 0)
		return -1;
	for (i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
		if (dev_node(pod, nodes[i].name, nodes[i].maj, nodes[i].min, err) < 0)
			return -1;
	for (i = 0; i < sizeof links / sizeof links[0]; i++)
		if (dev_link(pod, links[i][0], links[i][1], err) < 0)
			return -1;
	if (mount_in(pod, "dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=0620", 0755, err) < 0 ||
	    mount_in(pod, "dev/shm", "shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=65536k",
		     01777, err) < 0)
		return -1;
	return pod->plan.interactive ? attach_setup(pod, err) : 0; /* its pty is /dev/console */
}

/* One hierarchy of /proc/self/cgroup ("ID:CONTROLLERS:PATH"), read-only in <base>. */
static int mount_hierarchy(const char *base, char *controllers, struct err *err)
{
	const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char dir[4096], link[4096], data[300], target[300], *c, *next;
	const char *name = controllers;

	if (!*controllers)
		name = "unified"; /* cgroup2 beside v1 hierarchies (hybrid) */
	else if (!strncmp(controllers, "name=", 5))
		name = controllers + 5; /* a named hierarchy, e.g. systemd */
	if (path_join(dir, sizeof dir, base, name, err) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0)
		return fail_errno(err, "mkdir", dir);
	snprintf(data, sizeof data, "%s%s", strncmp(controllers, "name=", 5) ? "" : "none,",
		 controllers);
	if (mount("cgroup", dir, *controllers ? "cgroup" : "cgroup2", ro, *controllers ? data : NULL) < 0)
		return fail_errno(err, "mount", dir);
	if (!strchr(controllers, ',') || strchr(controllers, '='))
		return 0;
	snprintf(target, sizeof target, "%s", controllers);
	for (c = controllers; c; c = next) { /* cpu -> cpu,cpuacct, as on the host */
		next = strchr(c, ',');
		if (next)
			*next++ = 0;
		if (path_join(link, sizeof link, base, c, err) < 0)
			return -1;
		if (symlink(target, link) < 0)
			return fail_errno(err, "symlink", link);
	}
	return 0;
}

/*
 * The pod's cgroups, read-only at /sys/fs/cgroup, as runc mounts them: in the pod's cgroup
 * namespace a new mount of a hierarchy has the pod's cgroup as its root. cgroup v2 alone is
 * mounted there itself; v1 (and hybrid) hierarchies get a directory each on a tmpfs.
 */
static int mount_cgroups(struct pod *pod, struct err *err)
{
	const unsigned long ro = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	char base[4096], *line, *next, *controllers, *end, *nl;
	cleanup_free char *buf = NULL;
	size_t len;

	if (path_join(base, sizeof base, pod->plan.rootfs, "sys/fs/cgroup", err) < 0 ||
	    read_file("/proc/self/cgroup", &buf, &len, err) < 0)
		return -1;
	nl = strchr(buf, '\n');
	if (!strncmp(buf, "0::", 3) && (!nl || !nl[1])) { /* cgroup v2 alone */
		if (mount("cgroup2", base, "cgroup2", ro, NULL) < 0)
			return fail_errno(err, "mount", base);
		return 0;
	}
	if (mount("tmpfs", base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755") < 0)
		return fail_errno(err, "mount", base);
	for (line = buf; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		controllers = strchr(line, ':');
		end = controllers ? strchr(controllers + 1, ':') : NULL;
		if (!end)
			return fail(err, "read", "/proc/self/cgroup", EINVAL, "unreadable line `%s`", line);
		*end = 0;
		if (mount_hierarchy(base, controllers + 1, err) < 0)
			return -1;
	}
	if (mount(NULL, base, NULL, MS_BIND | MS_REMOUNT | ro, NULL) < 0)
		return fail_errno(err, "mount", base);
	return 0;
}

/* runc's and crun's defaults: kernel knobs a pod may read but not turn... */
static const char *const readonly_paths[] = {
	"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger",
};

/* ...and what it may not even read (host keys, kernel memory, timers, firmware). */
static const char *const masked_paths[] = {
	"proc/acpi", "proc/asound", "proc/kcore", "proc/keys", "proc/latency_stats",
	"proc/timer_list", "proc/timer_stats", "proc/sched_debug", "proc/scsi",
	"sys/firmware", "sys/devices/virtual/powercap",
};

/* Bind <path> onto itself, then make that bind read-only. Absent on this kernel: nothing to do. */
static int make_readonly(const char *path, struct err *err)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : fail_errno(err, "mount", path);
	if (mount(NULL, path, NULL,
		  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail_errno(err, "mount", path);
	return 0;
}

/* A directory gets an empty read-only tmpfs, a file the pod's /dev/null. */
static int mask(const char *path, const char *devnull, struct err *err)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : fail_errno(err, "lstat", path);
	if (S_ISDIR(st.st_mode) ?
	    mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=555") < 0 :
	    mount(devnull, path, NULL, MS_BIND, NULL) < 0)
		return fail_errno(err, "mount", path);
	return 0;
}

static int protect(struct pod *pod, struct err *err)
{
	char path[4096], devnull[4096];
	size_t i;

	if (path_join(devnull, sizeof devnull, pod->plan.rootfs, "dev/null", err) < 0)
		return -1;
	for (i = 0; i < sizeof readonly_paths / sizeof readonly_paths[0]; i++)
		if (path_join(path, sizeof path, pod->plan.rootfs, readonly_paths[i], err) < 0 ||
		    make_readonly(path, err) < 0)
			return -1;
	for (i = 0; i < sizeof masked_paths / sizeof masked_paths[0]; i++)
		if (path_join(path, sizeof path, pod->plan.rootfs, masked_paths[i], err) < 0 ||
		    mask(path, devnull, err) < 0)
			return -1;
	return 0;
}

/* ---- the apps' volumes and read-only roots ---- */

/* openat2 with RESOLVE_IN_ROOT: path's symlinks and ".." resolve as if dir were "/", never out. */
static int open_in(int dir, const char *path, int flags)
{
	struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, dir, path, &how, sizeof how);
}

/*
 * Opens <target> (absolute) below the app's root <dir> with open_in, creating what is missing
 * as root: directories 0755, the last part an empty file 0644 when <file> (a file volume).
 * Each part is created in its already resolved parent by name (mkdirat does not follow a
 * symlink), so a symlink anywhere, even one pointing out of the app's root, carries nothing out.
 */
static int resolve_target(int dir, const char *shown, const char *target, int file, int *out,
			  struct err *err)
{
	char prefix[4096], name[256];
	cleanup_close int cur = fcntl(dir, F_DUPFD_CLOEXEC, 0);
	const char *p = target, *end;
	size_t len = 0, n;
	int fd;

	if (cur < 0)
		return fail_errno(err, "fcntl", shown);
	while (*p) {
		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (!n)
			break;
		if (n >= sizeof name || len + n + 2 >= sizeof prefix)
			return fail(err, "open", shown, ENAMETOOLONG, NULL);
		memcpy(name, p, n);
		name[n] = 0;
		len += (size_t)snprintf(prefix + len, sizeof prefix - len, "%s%s", len ? "/" : "", name);
		p = end;
		fd = open_in(dir, prefix, O_PATH);
		if (fd < 0 && errno == ENOENT) {
			int last = !*p || !p[strspn(p, "/")];
			int made = last && file ?
				openat(cur, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644) :
				mkdirat(cur, name, 0755);

			if (made < 0 && errno == EEXIST)
				return fail(err, "mkdir", shown, ENOENT,
					    "`%s` is a symlink to nothing inside the app's root", prefix);
			if (made < 0)
				return fail_errno(err, last && file ? "create" : "mkdir", shown);
			if (last && file)
				close(made);
			fd = open_in(dir, prefix, O_PATH);
		}
		if (fd < 0)
			return fail_errno(err, "open", shown);
		cleanup_closep(&cur);
		cur = fd;
	}
	*out = steal_fd(&cur);
	return 0;
}

/* Bind remount read-only, keeping the flags the mount has (a remount sets them all). */
static int remount_readonly(int fd, const char *shown, int recursive, struct err *err)
{
	static const struct { unsigned long st, ms; } keep[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
	char fdpath[64];
	struct statvfs sv;
	size_t i;

	snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
	if (statvfs(fdpath, &sv) < 0)
		return fail_errno(err, "statvfs", shown);
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++)
		if (sv.f_flag & keep[i].st)
			flags |= keep[i].ms;
	if (mount(NULL, fdpath, NULL, flags, NULL) < 0)
		return fail_errno(err, "mount", shown);
	/* the submounts a recursive bind brought along (a kernel before 5.12 leaves them as they are) */
	if (recursive && syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
				 sizeof attr) < 0 && errno != ENOSYS)
		return fail_errno(err, "mount_setattr", shown);
	return 0;
}

/* One volume: the host's <source> bound on <target> in the app's root <dir>. */
static int app_mount(const struct app *a, int dir, const char *root_path,
		     const struct mount_spec *m, struct err *err)
{
	char shown[4096], src_path[64], tgt_path[64];
	cleanup_close int src = -1, tgt = -1, top = -1;
	struct stat s, t;

	snprintf(shown, sizeof shown, "%s%s", root_path, m->target);
	src = open(m->source, O_PATH | O_CLOEXEC);
	if (src < 0 || fstat(src, &s) < 0)
		return fail_errno(err, "open", m->source);
	if (resolve_target(dir, shown, m->target, !S_ISDIR(s.st_mode), &tgt, err) < 0)
		return -1;
	if (fstat(tgt, &t) < 0)
		return fail_errno(err, "fstat", shown);
	if (S_ISDIR(s.st_mode) != S_ISDIR(t.st_mode))
		return fail(err, "mount", shown, S_ISDIR(s.st_mode) ? ENOTDIR : EISDIR,
			    "app `%s`: %s is a %s, but the volume's source %s is a %s", a->name, m->target,
			    S_ISDIR(t.st_mode) ? "directory" : "file", m->source,
			    S_ISDIR(s.st_mode) ? "directory" : "file");
	snprintf(src_path, sizeof src_path, "/proc/self/fd/%d", src);
	snprintf(tgt_path, sizeof tgt_path, "/proc/self/fd/%d", tgt);
	if (mount(src_path, tgt_path, NULL, MS_BIND | (m->recursive ? MS_REC : 0), NULL) < 0)
		return fail_errno(err, "mount", shown);
	if (!m->readonly)
		return 0;
	top = open_in(dir, m->target, O_PATH); /* the bind just made: tgt is what it covers */
	if (top < 0)
		return fail_errno(err, "open", shown);
	return remount_readonly(top, shown, m->recursive, err);
}

/*
 * Each app's volumes, then its read-only root: in PID 1's mount namespace, before pivot_root
 * (the sources are host paths). A read-only root is a bind of the app's root on itself
 * (the pod's rootfs is one already), remounted read-only after the volumes are in: they keep
 * their own flag.
 */
static int app_mounts(struct pod *pod, int root, struct err *err)
{
	char shown[4096];
	size_t i, j;

	for (i = 0; i < pod->plan.napps; i++) {
		struct app *a = &pod->plan.apps[i];
		int top = !strcmp(a->root, "/");
		cleanup_close int dir = -1;

		if (!a->nmounts && !a->readonly_root)
			continue;
		if ((size_t)snprintf(shown, sizeof shown, "%s%s", pod->plan.rootfs, top ? "" : a->root) >=
		    sizeof shown)
			return fail(err, "path", pod->plan.rootfs, ENAMETOOLONG, "app `%s`: root too long",
				    a->name);
		dir = top ? fcntl(root, F_DUPFD_CLOEXEC, 0) : open_in(root, a->root, O_PATH | O_DIRECTORY);
		if (dir < 0)
			return fail_errno(err, "open", shown);
		if (a->readonly_root && !top) {
			char fdpath[64];

			snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", dir);
			if (mount(fdpath, fdpath, NULL, MS_BIND | MS_REC, NULL) < 0)
				return fail_errno(err, "mount", shown);
			cleanup_closep(&dir);
			dir = open_in(root, a->root, O_PATH | O_DIRECTORY); /* the bind's root */
			if (dir < 0)
				return fail_errno(err, "open", shown);
		}
		for (j = 0; j < a->nmounts; j++)
			if (app_mount(a, dir, shown, &a->mounts[j], err) < 0)
				return -1;
		if (a->readonly_root && remount_readonly(dir, shown, 0, err) < 0)
			return -1;
	}
	return 0;
}

static int pivot(struct pod *pod, struct err *err)
{
	if (chdir(pod->plan.rootfs) < 0)
		return fail_errno(err, "chdir", pod->plan.rootfs);
	/* pivot_root(".", ".") stacks the old root on the new one; detach it right after. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail_errno(err, "pivot_root", pod->plan.rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return fail_errno(err, "umount2", "/ (the old root)");
	if (chdir("/") < 0)
		return fail_errno(err, "chdir", "/");
	return 0;
}

/*
 * A pod of several apps: each app's root (its image's overlay, below the pod's root) gets the
 * pod's /proc, /sys and /dev (with pts, shm and the masks) by recursive bind, so every app sees
 * the same kernel files while its / is its own image. After pivot_root: the sources are ours.
 */
static int app_roots(struct pod *pod, struct err *err)
{
	static const char *const dirs[] = { "proc", "sys", "dev" };
	cleanup_close int root = -1;
	size_t i, j;

	for (i = 0; i < pod->plan.napps; i++) {
		struct app *a = &pod->plan.apps[i];

		if (!strcmp(a->root, "/"))
			continue;
		cleanup_closep(&root);
		root = open(a->root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (root < 0)
			return fail_errno(err, "open", a->root);
		for (j = 0; j < sizeof dirs / sizeof dirs[0]; j++) {
			char src[16];

			snprintf(src, sizeof src, "/%s", dirs[j]);
			if (mount_image_dir(root, a->root, dirs[j], src, NULL, MS_BIND | MS_REC, NULL,
					    err) < 0)
				return -1;
		}
	}
	return 0;
}

static int rootfs(struct pod *pod, struct err *err)
{
	const char *r = pod->plan.rootfs;
	cleanup_close int root = -1;
	int rc;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail_errno(err, "mount", "/ (MS_PRIVATE)");
	if (mount(r, r, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail_errno(err, "mount", r);
	root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return fail_errno(err, "open", r);
	rc = mount_image_dir(root, r, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
			     NULL, err) < 0 ||
	     mount_image_dir(root, r, "sys", "sysfs", "sysfs",
			     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0 ||
	     mount_cgroups(pod, err) < 0 || mount_dev(pod, root, err) < 0 ||
	     (pod->plan.mask_paths && protect(pod, err) < 0) || app_mounts(pod, root, err) < 0;
	return rc || pivot(pod, err) < 0 ? -1 : app_roots(pod, err);
}

static int loopback_up(struct err *err)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	cleanup_close int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return fail_errno(err, "socket", "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ||
	    (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(s, SIOCSIFFLAGS, &ifr) < 0))
		return fail_errno(err, "ioctl", "lo");
	return 0;
}

/* ---- files opened before pivot_root: status, logs, app cgroups ---- */

static int open_dir(struct pod *pod, const char *name, int *fd, struct err *err)
{
	char path[4096];

	if (path_join(path, sizeof path, pod->plan.pod_dir, name, err) < 0)
		return -1;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return fail_errno(err, "mkdir", path);
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return fail_errno(err, "open", path);
	return 0;
}

static int open_app_files(struct pod *pod, struct app *a, struct err *err)
{
	char path[4096];
	struct stat st;
	size_t i;

	snprintf(path, sizeof path, "%s/" POD_DIR_STATUS "/%s", pod->plan.pod_dir, a->name);
	if (unlinkat(pod->status_dir, a->name, 0) < 0 && errno != ENOENT)
		return fail_errno(err, "unlink", path); /* a stale status from an earlier run */
	snprintf(path, sizeof path, "%s/" POD_DIR_LOGS "/%s", pod->plan.pod_dir, a->name);
	a->log = openat(pod->logs_dir, a->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (a->log < 0 || fstat(a->log, &st) < 0)
		return fail_errno(err, "open", path);
	a->log_dir = pod->logs_dir;
	a->log_size = (uint64_t)st.st_size;
	a->log_max = pod->plan.log_max_size;
	a->cgroup_fds = calloc(a->ncgroups + 1, sizeof(int));
	if (!a->cgroup_fds)
		return fail_oom(err, a->name);
	for (i = 0; i < a->ncgroups; i++) {
		a->cgroup_fds[i] = open(a->cgroups[i], O_WRONLY | O_CLOEXEC);
		if (a->cgroup_fds[i] < 0)
			return fail_errno(err, "open", a->cgroups[i]);
	}
	return 0;
}

/* Each confined app's seccomp program; apps with the same filter share one. */
static int filters(struct pod *pod, struct err *err)
{
	struct app *apps = pod->plan.apps;
	char buf[4096];
	const char *dir = self_dir(buf, sizeof buf);
	size_t i, j;

	for (i = 0; i < pod->plan.napps; i++) {
		if (!apps[i].seccomp)
			continue;
		for (j = 0; j < i && !(apps[j].filter.len && seccomp_same(&apps[j], &apps[i])); j++)
			;
		if (j < i)
			apps[i].filter = apps[j].filter;
		else if (seccomp_prepare(&apps[i], dir, &apps[i].filter, err) < 0)
			return -1;
	}
	return 0;
}

/* --private-users: the apps' user namespace (userns.c), after the mounts (PID 1's, as host root). */
static int apps_userns(struct pod *pod, struct err *err)
{
	int fd;
	size_t i;

	if (!pod->plan.uid_count)
		return 0;
	if (userns_make(&pod->plan, &fd, err) < 0)
		return -1;
	for (i = 0; i < pod->plan.napps; i++)
		pod->plan.apps[i].userns = fd;
	return 0;
}

static int setup(struct pod *pod, struct err *err)
{
	const char *host = pod->plan.hostname;
	size_t i;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return fail_errno(err, "prctl", "PR_SET_PDEATHSIG");
	umask(0);
	if (open_dir(pod, POD_DIR_STATUS, &pod->status_dir, err) < 0 ||
	    open_dir(pod, POD_DIR_LOGS, &pod->logs_dir, err) < 0)
		return -1;
	for (i = 0; i < pod->plan.napps; i++)
		if (open_app_files(pod, &pod->plan.apps[i], err) < 0)
			return -1;
	TRACE("files-opened");
	if (filters(pod, err) < 0) /* its cache is a host path */
		return -1;
	TRACE("seccomp-prepared");
	/*
	 * The pod's cgroups become its cgroup namespace's root. After the app cgroups were
	 * opened: a write checks the namespace of the open, and on cgroup v2 (nsdelegate) an
	 * app's cgroup is not below stage1's own leaf.
	 */
	if (unshare(CLONE_NEWCGROUP) < 0)
		return fail_errno(err, "unshare", "CLONE_NEWCGROUP");
	if (pod->plan.mds_socket && mds_open(pod, err) < 0) /* a host path: before pivot_root */
		return -1;
	if (rootfs(pod, err) < 0 || apps_userns(pod, err) < 0)
		return -1;
	TRACE("rootfs-pivoted");
	if (sethostname(host, strlen(host)) < 0)
		return fail_errno(err, "sethostname", host);
	if (pod->plan.host_net)
		return 0;
	if (loopback_up(err) < 0)
		return -1;
	TRACE("lo-up");
	return pod->mds ? mds_listen(pod, err) : 0;
}

/* ---- apps ---- */

struct child_pipes {
	int exec[2];            /* CLOEXEC: EOF means execve succeeded, else a struct err */
	int out[2];
	int errout[2];
};

__attribute__((noreturn)) static void app_child(struct pod *pod, struct app *a, char **argv,
						struct child_pipes *p)
{
	struct err err = { 0 };
	sigset_t none;
	int i, fd;

	TRACE("child");
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	close(pod->sigfd);
	if (setsid() < 0) {
		fail_errno(&err, "setsid", a->name);
		goto out;
	}
	if (a->attach) { /* the pod's pty: fds 0, 1, 2 and the controlling terminal */
		fd = a->attach->slave;
		if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0) {
			fail_errno(&err, "dup2", a->name);
			goto out;
		}
		if (ioctl(0, TIOCSCTTY, 0) < 0) {
			fail_errno(&err, "ioctl(TIOCSCTTY)", "/dev/console");
			goto out;
		}
	} else {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* dup2 gives 0 without CLOEXEC */
		if (fd < 0) {
			fail_errno(&err, "open", "/dev/null");
			goto out;
		}
		if (dup2(fd, 0) < 0 || dup2(p->out[1], 1) < 0 || dup2(p->errout[1], 2) < 0) {
			fail_errno(&err, "dup2", a->name);
			goto out;
		}
	}
	for (i = 0; i < (int)a->ncgroups; i++)
		if (write_all(a->cgroup_fds[i], "0", 1) < 0) {
			fail_errno(&err, "write", a->cgroups[i]);
			goto out;
		}
	if (a->ncgroups && unshare(CLONE_NEWCGROUP) < 0) { /* its own cgroups are its root */
		fail_errno(&err, "unshare", "CLONE_NEWCGROUP");
		goto out;
	}
	TRACE("child-ready");
	if (app_become(a, &err) == 0)
		app_exec(a, argv, &err);
out:
	write_all(p->exec[1], &err, sizeof err);
	_exit(127);
}

struct child_args {
	struct pod *pod;
	struct app *a;
	char **argv;
	struct child_pipes *p;
};

static int app_child_entry(void *arg)
{
	struct child_args *c = arg;

	app_child(c->pod, c->a, c->argv, c->p);
}

/*
 * Starts app_child as glibc's posix_spawn starts its child: clone(CLONE_VM | CLONE_VFORK) on a
 * stack of its own. No page tables are copied and PID 1 sleeps until the child has exec'd (or
 * failed and exited), which it would wait for on the exec pipe anyway, so the child has the CPU
 * at once. The child shares our memory until then: it writes nothing of ours but environ (the
 * app's, for execvp's PATH search), which is put back here.
 */
#define CHILD_STACK (256 * 1024)

static pid_t app_spawn(struct child_args *args)
{
	char **env = environ;
	void *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	pid_t pid;

	if (stack == MAP_FAILED)
		return -1;
	pid = clone(app_child_entry, (char *)stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD,
		    args);
	environ = env;
	munmap(stack, CHILD_STACK); /* the child runs on in an image of its own, or has exited */
	return pid;
}

/* Closes whatever of the pipes is still open (what was handed on is -1). */
static void child_pipes_close(struct child_pipes *p)
{
	cleanup_closep(&p->exec[0]);
	cleanup_closep(&p->exec[1]);
	cleanup_closep(&p->out[0]);
	cleanup_closep(&p->out[1]);
	cleanup_closep(&p->errout[0]);
	cleanup_closep(&p->errout[1]);
}

/* What runs in each phase: the hooks' argv, or the app's. */
static char **phase_argv(struct app *a, enum phase phase)
{
	return phase == PHASE_PRE_START ? a->pre_start : phase == PHASE_POST_STOP ? a->post_stop : a->argv;
}

/*
 * Starts the app's process of <phase>: the pre-start hook, the app, or the post-stop hook, each
 * in the app's root, as its user, with its environment and working directory. "started" names
 * the app's latest pid (a hook's, then the app's: the app's life began with its pre-start).
 */
static int app_start(struct pod *pod, struct app *a, enum phase phase, struct err *err)
{
	__attribute__((cleanup(child_pipes_close))) struct child_pipes p =
		{ { -1, -1 }, { -1, -1 }, { -1, -1 } };
	char line[512];
	ssize_t n;

	a->phase = phase;
	a->attach = phase == PHASE_MAIN ? pod->attach : NULL; /* an interactive pod has one app */
	if (pipe2(p.exec, O_CLOEXEC) < 0 ||
	    (!a->attach && (pipe2(p.out, O_CLOEXEC) < 0 || pipe2(p.errout, O_CLOEXEC) < 0)))
		return fail_errno(err, "pipe2", a->name);
	TRACE("fork");
	a->pid = app_spawn(&(struct child_args){ pod, a, phase_argv(a, phase), &p });
	if (a->pid < 0) {
		a->pid = 0;
		return fail_errno(err, "clone", a->name);
	}
	cleanup_closep(&p.exec[1]);
	cleanup_closep(&p.out[1]);
	cleanup_closep(&p.errout[1]);
	a->out = steal_fd(&p.out[0]);
	a->errout = steal_fd(&p.errout[0]);
	if (a->attach) { /* the app holds the slave now: the master reads EIO when it is done */
		cleanup_closep(&a->attach->slave);
		a->out = fcntl(a->attach->master, F_DUPFD_CLOEXEC, 0); /* non-blocking, as a pipe's */
	} else if (a->out >= 0) {
		fcntl(a->out, F_SETFL, O_NONBLOCK);
		fcntl(a->errout, F_SETFL, O_NONBLOCK);
	}
	TRACE("forked");
	while ((n = read(p.exec[0], err, sizeof *err)) < 0 && errno == EINTR)
		;
	TRACE("exec-eof");
	if (n == sizeof *err) {
		waitpid(a->pid, NULL, 0);
		a->pid = 0;
		a->done = 1;
		return -1;
	}
	if (phase != PHASE_POST_STOP) {
		snprintf(line, sizeof line, "started %s %d", a->name, a->pid);
		send_line(pod, line, a->pid);
	}
	return 0;
}

/* ---- logs ---- */

/*
 * logs/<app> holds the CRI container log format (Kubernetes', podman's k8s-file), one record a
 * line:
 *
 *   2026-12-05T11:03:02.123456789Z stdout F a whole line\n
 *   2026-12-05T11:03:02.123456789Z stderr P a chunk that ended without a newline\n
 *
 * the time (CLOCK_REALTIME, UTC) at which the chunk was read; stdout or stderr; F for a line
 * that ended, P for a part the next record of that stream continues. A record never holds more
 * than log_max - LOG_HEADER bytes of content, so no record passes log_max. Before a record
 * would take the log past log_max, the log is renamed to <app>.1 (replacing the older one) and
 * a new one begun: an app's logs never take more than twice log_max.
 */
#define LOG_HEADER 64 /* the time, the stream, the tag, the spaces and the newline fit */

static void log_rotate(struct app *a)
{
	char old[4096], path[4200];
	struct err err;
	int fd;

	snprintf(old, sizeof old, "%s" POD_DIR_ROTATED_LOG_SUFFIX, a->name);
	snprintf(path, sizeof path, POD_DIR_LOGS "/%s", a->name); /* the pod dir is the plan's */
	if (renameat(a->log_dir, a->name, a->log_dir, old) < 0) {
		fail_errno(&err, "rename", path); /* the log goes on growing: output is not lost */
		err_print(&err);
		return;
	}
	fd = openat(a->log_dir, a->name, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0) {
		fail_errno(&err, "open", path); /* records go on to <app>.1 */
		err_print(&err);
		return;
	}
	close(a->log);
	a->log = fd;
	a->log_size = 0;
}

static void log_record(struct app *a, const char *head, size_t head_len, const char *s,
		       size_t len, char tag)
{
	char rec[LOG_HEADER + 65536];
	size_t n = head_len;

	memcpy(rec, head, head_len);
	rec[n++] = ' ';
	rec[n++] = tag;
	rec[n++] = ' ';
	memcpy(rec + n, s, len);
	n += len;
	rec[n++] = '\n';
	if (a->log_size > 0 && a->log_size + n > a->log_max)
		log_rotate(a);
	if (write_all(a->log, rec, n) == 0)
		a->log_size += n;
}

/* Appends what the app wrote on stream 1 (stdout) or 2 (stderr) to its log, as records. */
static void log_write(struct app *a, int stream, const char *buf, size_t n)
{
	char head[LOG_HEADER];
	size_t head_len, len, max = a->log_max - LOG_HEADER;
	struct timespec now;
	struct tm tm;
	const char *nl;
	int full;

	if (a->log < 0)
		return;
	if (max > 65536) /* rec's room; pump reads no more at once */
		max = 65536;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	head_len = strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm);
	head_len += (size_t)snprintf(head + head_len, sizeof head - head_len, ".%09ldZ %s",
				     now.tv_nsec, stream == 2 ? "stderr" : "stdout");
	while (n > 0) {
		nl = memchr(buf, '\n', n);
		len = nl ? (size_t)(nl - buf) : n;
		full = nl != NULL;
		if (len > max) {
			len = max;
			full = 0;
		}
		log_record(a, head, head_len, buf, len, full ? 'F' : 'P');
		buf += len + (size_t)full;
		n -= len + (size_t)full;
	}
}

/* Copies what the app wrote to its log and to our own stdout/stderr (an interactive app's, the
 * pty's, to the attach socket instead). */
static void pump(struct app *a, int *fd, int to)
{
	char buf[65536];
	ssize_t n;

	while (*fd >= 0) {
		n = read(*fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			cleanup_closep(fd);
			return;
		}
		log_write(a, to, buf, (size_t)n); /* the log is authoritative */
		if (a->attach)
			attach_output(a->attach, buf, (size_t)n);
		else
			write_all(to, buf, (size_t)n); /* raw; the forward may be gone (EPIPE): fine */
	}
}

static void write_status(struct pod *pod, struct app *a, int status, char *text, size_t size)
{
	struct err err;
	char tmp[4400];
	cleanup_close int fd = -1;

	if (WIFSIGNALED(status))
		snprintf(text, size, "code=%d signal=%d", app_status(&pod->plan, status),
			 WTERMSIG(status));
	else
		snprintf(text, size, "code=%d", app_status(&pod->plan, status));
	snprintf(tmp, sizeof tmp, ".%s.tmp", a->name);
	fd = openat(pod->status_dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 ||
	    renameat(pod->status_dir, tmp, pod->status_dir, a->name) < 0) {
		/* stage0 still hears "exited" on the protocol; only a restarted one misses it */
		snprintf(tmp, sizeof tmp, "%s/" POD_DIR_STATUS "/%s", pod->plan.pod_dir, a->name);
		fail_errno(&err, "write", tmp);
		err_print(&err);
	}
}

/* A line of stage1's own in the app's log (as stderr) and on stage1's stderr. */
static void app_note(struct app *a, const char *text)
{
	log_write(a, 2, text, strlen(text));
	fprintf(stderr, "rkj-stage1: %s\n", text);
}

/* The app is over (its status kept, stage0 told) with this wait status. */
static void app_finished(struct pod *pod, struct app *a, int status)
{
	char text[64], line[512];

	write_status(pod, a, status, text, sizeof text);
	snprintf(line, sizeof line, "exited %s %s", a->name, text);
	send_line(pod, line, 0);
	a->code = app_status(&pod->plan, status);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * rkt's rule: when an app fails, the pod ends. The apps still running (or in their pre-start)
 * get SIGTERM, then SIGKILL after the plan's grace (loop); post-stop hooks run on.
 */
static void stop_pod(struct pod *pod, int code)
{
	size_t i;

	if (pod->stopping)
		return;
	pod->stopping = 1;
	pod->first_code = code;
	pod->kill_at_ms = now_ms() + pod->plan.stop_grace_ms;
	if (!pod->kill_at_ms)
		pod->kill_at_ms = 1;
	for (i = 0; i < pod->plan.napps; i++) {
		struct app *a = &pod->plan.apps[i];

		if (!a->done && a->pid > 0 && a->phase != PHASE_POST_STOP)
			kill(a->pid, SIGTERM);
	}
}

__attribute__((noreturn)) static void abort_pod(struct pod *pod, const struct err *err);

/* The process of the app's current phase ended with <status>: on to the next phase, or done. */
static void app_exited(struct pod *pod, struct app *a, int status)
{
	char text[1200];
	struct err err = { 0 };
	enum phase phase = a->phase;
	int code = app_status(&pod->plan, status);

	pump(a, &a->out, 1);
	pump(a, &a->errout, 2);
	cleanup_closep(&a->out);
	cleanup_closep(&a->errout);
	a->pid = 0;
	if (phase == PHASE_PRE_START && code == 0 && !pod->stopping) {
		if (app_start(pod, a, PHASE_MAIN, &err) < 0)
			abort_pod(pod, &err);
		return;
	}
	if (phase == PHASE_PRE_START) {
		if (code != 0)
			snprintf(text, sizeof text, "app %s: its pre-start hook %s failed with status %d:"
				 " the app was not run", a->name, a->pre_start[0], code);
		else
			snprintf(text, sizeof text, "app %s: not run, the pod is stopping", a->name);
		app_note(a, text);
		app_finished(pod, a, code != 0 ? status : SIGTERM); /* a wait status: killed by it */
		a->done = 1;
		stop_pod(pod, a->code);
		return;
	}
	if (phase == PHASE_MAIN) {
		app_finished(pod, a, status);
		if (code != 0)
			stop_pod(pod, code);
		if (a->npost_stop && app_start(pod, a, PHASE_POST_STOP, &err) < 0) {
			snprintf(text, sizeof text, "app %s: its post-stop hook cannot run: %s `%s`: %s",
				 a->name, err.call, err.path, err.msg);
			app_note(a, text);
		}
		a->done = !a->npost_stop || a->pid == 0;
		return;
	}
	if (code != 0) {
		snprintf(text, sizeof text, "app %s: its post-stop hook %s failed with status %d", a->name,
			 a->post_stop[0], code);
		app_note(a, text);
	}
	a->done = 1;
}

static struct app *app_by_pid(struct pod *pod, pid_t pid)
{
	size_t i;

	for (i = 0; i < pod->plan.napps; i++)
		if (!pod->plan.apps[i].done && pod->plan.apps[i].pid == pid)
			return &pod->plan.apps[i];
	return NULL;
}

static size_t running(struct pod *pod)
{
	size_t i, n = 0;

	for (i = 0; i < pod->plan.napps; i++)
		n += !pod->plan.apps[i].done && pod->plan.apps[i].pid > 0;
	return n;
}

/* Reaps every child: apps and orphans reparented to us. */
static void reap(struct pod *pod, int options)
{
	struct app *a;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, options)) > 0 || (pid < 0 && errno == EINTR))
		if (pid > 0 && (a = app_by_pid(pod, pid)))
			app_exited(pod, a, status);
}

static void signal_apps(struct pod *pod, int sig)
{
	size_t i;

	for (i = 0; i < pod->plan.napps; i++)
		if (!pod->plan.apps[i].done && pod->plan.apps[i].pid > 0)
			kill(pod->plan.apps[i].pid, sig);
}

static void loop(struct pod *pod)
{
	struct pollfd fds[1 + 2 * MAX_APPS + 2 + MDS_FDS];
	struct signalfd_siginfo si;
	size_t i, n;
	uint64_t now;
	int timeout;

	while (running(pod)) {
		fds[0] = (struct pollfd){ pod->sigfd, POLLIN, 0 };
		for (i = 0, n = 1; i < pod->plan.napps; i++) {
			fds[n++] = (struct pollfd){ pod->plan.apps[i].out, POLLIN, 0 };
			fds[n++] = (struct pollfd){ pod->plan.apps[i].errout, POLLIN, 0 };
		}
		if (pod->attach)
			n += (size_t)attach_fds(pod->attach, fds + n);
		if (pod->mds)
			n += (size_t)mds_fds(pod->mds, fds + n);
		now = now_ms();
		if (pod->kill_at_ms && now >= pod->kill_at_ms) {
			signal_apps(pod, SIGKILL); /* the grace is over */
			pod->kill_at_ms = 0;
		}
		/* at most a day (plan.c): fits an int */
		timeout = pod->kill_at_ms ? (int)(pod->kill_at_ms - now) : -1;
		if (poll(fds, n, timeout) < 0)
			continue;
		if (pod->attach)
			attach_events(pod->attach);
		if (pod->mds)
			mds_events(pod->mds);
		for (i = 0; i < pod->plan.napps; i++) {
			pump(&pod->plan.apps[i], &pod->plan.apps[i].out, 1);
			pump(&pod->plan.apps[i], &pod->plan.apps[i].errout, 2);
		}
		while (read(pod->sigfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGCHLD)
				reap(pod, WNOHANG);
			else
				signal_apps(pod, (int)si.ssi_signo);
		}
	}
}

/* The pod's status: the app's for one app; else the first app that failed (in time), or 0. */
static int pod_status(struct pod *pod)
{
	size_t i;

	if (pod->stopping && pod->first_code)
		return pod->first_code;
	for (i = 0; i < pod->plan.napps; i++)
		if (pod->plan.apps[i].code != 0)
			return pod->plan.apps[i].code;
	return 0;
}

static int signals(struct pod *pod, struct err *err)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	pod->sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (pod->sigfd < 0)
		return fail_errno(err, "signalfd", NULL);
	return 0;
}

/* The pod can read our /proc/1/cmdline: it names no host path, only "rkj-stage1 run". */
static void blank_args(struct pod *pod)
{
	static const char title[] = "rkj-stage1\0run";

	if (!pod->args || pod->args_len < sizeof title)
		return;
	memset(pod->args, 0, pod->args_len);
	memcpy(pod->args, title, sizeof title);
}

/* A failure before an app's (or its pre-start's) execve: the pod ends, as at its start. */
static void abort_pod(struct pod *pod, const struct err *err)
{
	size_t i;

	pod->stopping = 1; /* no app starts after its pre-start now... */
	for (i = 0; i < pod->plan.napps; i++)
		pod->plan.apps[i].npost_stop = 0; /* ...and no post-stop hook runs */
	send_error(pod, err); /* before any exit: stage0 sees the cause first */
	signal_apps(pod, SIGKILL);
	while (running(pod))
		reap(pod, 0);
	attach_end(pod);
	_exit(EXIT_STAGE1);
}

void pod_main(struct pod *pod, int sock)
{
	struct err err = { 0 };
	size_t i;

	TRACE("pid1");
	blank_args(pod);
	pod->sock = sock;
	if (pod->proto >= 0)
		close(pod->proto); /* the monitor speaks to stage0 */
	pod->proto = -1;
	if (signals(pod, &err) < 0 || setup(pod, &err) < 0) {
		send_error(pod, &err);
		_exit(EXIT_STAGE1);
	}
	send_line(pod, "ready", 0);
	TRACE("ready-sent");
	for (i = 0; i < pod->plan.napps; i++) {
		struct app *a = &pod->plan.apps[i];

		if (app_start(pod, a, a->npre_start ? PHASE_PRE_START : PHASE_MAIN, &err) < 0)
			abort_pod(pod, &err);
	}
	loop(pod);
	attach_end(pod); /* after the app's last output */
	_exit(pod_status(pod));
}
