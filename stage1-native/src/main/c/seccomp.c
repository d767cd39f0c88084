/*
 * An app's default seccomp filter, built with libseccomp (Debian's static libseccomp.a).
 *
 * It follows Docker's default profile (moby, profiles/seccomp/default.json): an allowlist, so
 * a system call that is not named below fails with EPERM, as do those a capability gates when
 * the app's retained set (struct app.caps) lacks that capability. Where rkj is stricter:
 *   - unshare and clone never create a user namespace, even with CAP_SYS_ADMIN (a new user
 *     namespace hands out every capability inside it, and the kernel code it opens up is the
 *     usual way out of a container);
 *   - clone3 always fails with ENOSYS: its flags live in memory a filter cannot read, and
 *     ENOSYS makes libc fall back to clone, whose flags the filter checks;
 *   - ptrace, process_vm_readv/writev need CAP_SYS_PTRACE (Docker allows them from Linux 4.8).
 * A system call this libseccomp does not know by name (newer than its table) stays refused.
 *
 * On x86-64 the rules cover the x86 ABI (int 0x80) too, so its numbers are no way around
 * them. The x32 ABI is left out on purpose: the x86-64 filter libseccomp generates then kills
 * any call whose number has the x32 bit, so x32 is no way around them either, and the filter
 * builds in a third of the time (x32 would add tens of milliseconds to each app's launch).
 * Any other ABI is killed too (libseccomp's bad-arch action).
 *
 * The appc sets (os/linux/seccomp-retain-set and -remove-set, plan keys seccomp retain|remove):
 *   - retain: only the named calls (and the life-cycle set below) are allowed; any other fails
 *     with seccomp_errno, or kills the app with SIGSYS when it is 0. With seccomp_base 1 (what
 *     an image gets) a named call the default filter refuses stays refused: the set narrows the
 *     default boundary, never widens it. With seccomp_base 0 (the user's grant, rkj's
 *     --insecure-options=seccomp) the set alone decides.
 *   - remove: the named calls fail with seccomp_errno (or kill); with seccomp_base 1 on top of the
 *     default filter (whose refusals stay EPERM), with 0 everything else is allowed.
 *   - the life-cycle set, always allowed under a retain set: what stage1 calls between loading
 *     the filter and execve (setgroups, setgid, setuid, capset, prctl, chdir, and write to report
 *     a failure), execve itself, and exit, exit_group, rt_sigreturn.
 *   - a name this libseccomp does not know refuses the app, naming it.
 *
 * Cache: libseccomp takes milliseconds to build the program, so it is built once per filter
 * (capability set, mode, errno and set) and rkj-stage1 binary: seccomp_prepare exports it
 * (seccomp_export_bpf) to <dir>/seccomp-v<RULES_VERSION>-<caps in hex>[-<mode><base>-<errno>-<FNV-1a
 * of the set>].bpf, where <dir> holds the running binary (stage0 extracts it to
 * <data>/stage1/<sha256 of the binary>/, root-owned), and later reads that file instead. The file
 * begins with the filter's whole key (its length, then the key padded to 8 bytes), so two filters
 * whose names collide never share a program; a file whose key differs, or of an odd size, is
 * rebuilt and replaced; an unwritable dir only means no cache.
 * The pod's PID 1 prepares every app's program before pivot_root, enter before it joins the
 * pod's mount namespace; app_become loads it with seccomp_install.
 *
 * When: app_become loads the filter while stage1 is still root with every capability, before
 * setgroups/setgid/setuid/capset. Loading a filter needs CAP_SYS_ADMIN or no_new_privs; doing
 * it while CAP_SYS_ADMIN is effective (as runc does without no_new_privs) means the filter
 * never forces no_new_privs on an app that did not ask for it (setuid programs in the image
 * keep working), and works the same with it (seccomp_install, like libseccomp's seccomp_load
 * with SCMP_FLTATR_CTL_NNP 0, passes no flags and leaves no_new_privs alone). Everything
 * stage1 does after the load (setgroups, setgid, setuid, capset, prctl, chdir, execve, and on
 * failure write and exit_group) is in the allowlist.
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Part of the cache file's name: bump it whenever the rules below change. */
#define RULES_VERSION 2

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* The namespace flags of clone (CLONE_NEWTIME does not fit in clone's flags, only unshare's). */
#define CLONE_NS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
			CLONE_NEWPID | CLONE_NEWNET)

/* Allowed to every app, whatever its capabilities (the kernel still checks them). */
static const char *const always[] = {
	/* files and directories */
	"access", "chdir", "chmod", "chown", "chown32", "close", "close_range", "copy_file_range",
	"creat", "dup", "dup2", "dup3", "faccessat", "faccessat2", "fadvise64", "fadvise64_64",
	"fallocate", "fchdir", "fchmod", "fchmodat", "fchown", "fchown32", "fchownat", "fcntl",
	"fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fremovexattr", "fsetxattr",
	"fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64", "fsync", "ftruncate",
	"ftruncate64", "futimesat", "getcwd", "getdents", "getdents64", "getxattr", "lchown",
	"lchown32", "lgetxattr", "link", "linkat", "listxattr", "llistxattr", "_llseek",
	"lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "mkdir", "mkdirat", "mknod",
	"mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2", "pread64",
	"preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink",
	"readlinkat", "readv", "removexattr", "rename", "renameat", "renameat2", "rmdir",
	"sendfile", "sendfile64", "setxattr", "splice", "stat", "stat64", "statfs", "statfs64",
	"statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "tee", "truncate",
	"truncate64", "umask", "unlink", "unlinkat", "utime", "utimensat", "utimensat_time64",
	"utimes", "vmsplice", "write", "writev",
	/* events, polling, asynchronous I/O */
	"epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
	"epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "fanotify_mark",
	"inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
	"io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
	"io_submit", "io_uring_enter", "io_uring_register", "io_uring_setup", "ioctl", "pause",
	"pipe", "pipe2", "poll", "ppoll", "ppoll_time64", "pselect6", "pselect6_time64", "select",
	"_newselect", "signalfd", "signalfd4", "timerfd_create", "timerfd_gettime",
	"timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
	/* processes, threads, signals */
	"arch_prctl", "capget", "capset", "execve", "execveat", "exit", "exit_group", "fork",
	"get_robust_list", "get_thread_area", "getcpu", "getpgid", "getpgrp", "getpid", "getppid",
	"getpriority", "getrlimit", "getrusage", "getsid", "gettid", "ioprio_get", "ioprio_set",
	"kill", "membarrier", "modify_ldt", "pidfd_open", "pidfd_send_signal", "prctl",
	"prlimit64", "restart_syscall", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
	"rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
	"rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
	"sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
	"sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
	"sched_yield", "seccomp", "set_robust_list", "set_thread_area", "set_tid_address",
	"setpgid", "setpriority", "setrlimit", "setsid", "sigaltstack", "sigprocmask", "sigreturn",
	"tgkill", "tkill", "ugetrlimit", "vfork", "wait4", "waitid", "waitpid",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
	"process_mrelease",
	/* users and groups */
	"getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
	"getgroups32", "getresgid", "getresgid32", "getresuid", "getresuid32", "getuid",
	"getuid32", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
	"setgroups", "setgroups32", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setuid", "setuid32",
	/* memory */
	"brk", "futex", "futex_time64", "futex_waitv", "madvise", "memfd_create", "memfd_secret",
	"mincore", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mremap", "msync",
	"munlock", "munlockall", "munmap", "pkey_alloc", "pkey_free", "pkey_mprotect",
	"remap_file_pages",
	/* System V and POSIX IPC */
	"ipc", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "msgctl",
	"msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop",
	"semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget",
	/* sockets (socket itself: below, without AF_VSOCK) */
	"accept", "accept4", "bind", "connect", "getpeername", "getsockname", "getsockopt",
	"listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg", "send",
	"sendmmsg", "sendmsg", "sendto", "setsockopt", "shutdown", "socketcall", "socketpair",
	/* time (setting it: CAP_SYS_TIME, checked by the kernel for adjtimex) */
	"adjtimex", "alarm", "clock_adjtime", "clock_adjtime64", "clock_getres",
	"clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep",
	"clock_nanosleep_time64", "getitimer", "gettimeofday", "nanosleep", "setitimer", "time",
	"timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64",
	"timer_settime", "timer_settime64", "times",
	/* the system */
	"getrandom", "sysinfo", "uname",
	NULL,
};

/* Allowed only to an app that retains the capability. */
struct gate {
	int cap;
	const char *const names[12];
};

static const struct gate gated[] = {
	{ CAP_SYS_ADMIN, { "bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
			   "lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree",
			   NULL } },
	{ CAP_SYS_ADMIN, { "perf_event_open", "quotactl", "quotactl_fd", "setdomainname",
			   "sethostname", "setns", "syslog", "umount", "umount2", NULL } },
	{ CAP_SYS_BOOT, { "reboot", NULL } },
	{ CAP_SYS_CHROOT, { "chroot", NULL } },
	{ CAP_SYS_MODULE, { "delete_module", "init_module", "finit_module", NULL } },
	{ CAP_SYS_PACCT, { "acct", NULL } },
	{ CAP_SYS_PTRACE, { "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv",
			    "process_vm_writev", "ptrace", NULL } },
	{ CAP_SYS_RAWIO, { "iopl", "ioperm", NULL } },
	{ CAP_SYS_TIME, { "settimeofday", "stime", "clock_settime", "clock_settime64", NULL } },
	{ CAP_SYS_TTY_CONFIG, { "vhangup", NULL } },
	{ CAP_SYS_NICE, { "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node",
			  NULL } },
	{ CAP_SYSLOG, { "syslog", NULL } },
	{ CAP_BPF, { "bpf", NULL } },
	{ CAP_PERFMON, { "perf_event_open", NULL } },
	{ CAP_DAC_READ_SEARCH, { "open_by_handle_at", NULL } },
};

/* personality(2): Linux, 32-bit Linux, each with UNAME26, and the query 0xffffffff. */
static const uint64_t personas[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

/* Always allowed under a retain set: stage1's calls after the load, execve, and the way out. */
static const char *const lifecycle[] = {
	"setgroups", "setgid", "setuid", "capget", "capset", "prctl", "chdir", "write", "execve",
	"exit", "exit_group", "rt_sigreturn", NULL,
};

static int has(uint64_t caps, int cap)
{
	return cap < 64 && (caps >> cap & 1);
}

static int listed(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n && names[i]; i++)
		if (!strcmp(names[i], name))
			return 1;
	return 0;
}

/* Whether the default filter's rule for name goes in: all of them for the default filter; under
 * a retain set only those of the set and the life-cycle; under a remove set all but the set's. */
static int keep(const struct app *a, const char *name)
{
	if (a->seccomp == SECCOMP_RETAIN)
		return listed((const char *const *)a->syscalls, a->nsyscalls, name) ||
		       listed(lifecycle, SIZE_MAX, name);
	if (a->seccomp == SECCOMP_REMOVE)
		return !listed((const char *const *)a->syscalls, a->nsyscalls, name);
	return 1;
}

/* What a call the app's retain or remove set blocks does. */
static uint32_t blocked(const struct app *a)
{
	return a->seccomp_errno ? SCMP_ACT_ERRNO(a->seccomp_errno) : SCMP_ACT_KILL_PROCESS;
}

/* Adds a rule; a name this libseccomp does not know stays refused (no rule). */
static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int n,
		const struct scmp_arg_cmp *cmp, struct err *err)
{
	int nr = seccomp_syscall_resolve_name(name), rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	rc = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (rc == -EEXIST) /* the same name under two capabilities */
		return 0;
	if (rc < 0)
		return fail(err, "seccomp_rule_add", name, -rc, "%s: adding the filter's rule",
			    strerror(-rc));
	return 0;
}

/* A rule of the default filter, if the app's set keeps it. */
static int kept(scmp_filter_ctx ctx, const struct app *a, uint32_t action, const char *name,
		unsigned int n, const struct scmp_arg_cmp *cmp, struct err *err)
{
	return keep(a, name) ? rule(ctx, action, name, n, cmp, err) : 0;
}

static int allow(scmp_filter_ctx ctx, const struct app *a, const char *name, struct err *err)
{
	return kept(ctx, a, SCMP_ACT_ALLOW, name, 0, NULL, err);
}

/* The default filter's rules (those the app's set keeps). */
static int rules(scmp_filter_ctx ctx, const struct app *a, struct err *err)
{
	uint64_t caps = a->caps;
	int admin = has(caps, CAP_SYS_ADMIN);
	/* with CAP_SYS_ADMIN any namespace but a user namespace; without, none */
	struct scmp_arg_cmp no_ns = SCMP_A0(SCMP_CMP_MASKED_EQ,
					    admin ? CLONE_NEWUSER : CLONE_NS_FLAGS, 0);
	struct scmp_arg_cmp not_vsock = SCMP_A0(SCMP_CMP_NE, AF_VSOCK);
	size_t i, j;

	for (i = 0; always[i]; i++)
		if (allow(ctx, a, always[i], err) < 0)
			return -1;
	for (i = 0; i < sizeof gated / sizeof gated[0]; i++)
		for (j = 0; has(caps, gated[i].cap) && gated[i].names[j]; j++)
			if (allow(ctx, a, gated[i].names[j], err) < 0)
				return -1;
	for (i = 0; i < sizeof personas / sizeof personas[0]; i++) {
		struct scmp_arg_cmp eq = SCMP_A0(SCMP_CMP_EQ, personas[i]);

		if (kept(ctx, a, SCMP_ACT_ALLOW, "personality", 1, &eq, err) < 0)
			return -1;
	}
	/* clone3 goes with clone: ENOSYS sends libc back to clone, whose flags are checked */
	if (kept(ctx, a, SCMP_ACT_ALLOW, "clone", 1, &no_ns, err) < 0 ||
	    (admin && kept(ctx, a, SCMP_ACT_ALLOW, "unshare", 1, &no_ns, err) < 0) ||
	    (keep(a, "clone") && kept(ctx, a, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err) < 0) ||
	    kept(ctx, a, SCMP_ACT_ALLOW, "socket", 1, &not_vsock, err) < 0)
		return -1;
	return 0;
}

/* The retain or remove set's own rules; every name must be one this libseccomp knows. */
static int set_rules(scmp_filter_ctx ctx, const struct app *a, struct err *err)
{
	size_t i;

	for (i = 0; i < a->nsyscalls; i++)
		if (seccomp_syscall_resolve_name(a->syscalls[i]) == __NR_SCMP_ERROR)
			return fail(err, "seccomp", a->syscalls[i], EINVAL,
				    "app `%s`: its seccomp set names `%s`, which is not a system call this"
				    " rkj-stage1 knows: give names as syscalls(2) spells them",
				    a->name, a->syscalls[i]);
	if (a->seccomp == SECCOMP_REMOVE) {
		for (i = 0; i < a->nsyscalls; i++)
			if (rule(ctx, blocked(a), a->syscalls[i], 0, NULL, err) < 0)
				return -1;
	} else if (!a->seccomp_base) { /* retain on its own: the set and the life-cycle */
		for (i = 0; i < a->nsyscalls; i++)
			if (rule(ctx, SCMP_ACT_ALLOW, a->syscalls[i], 0, NULL, err) < 0)
				return -1;
		for (i = 0; lifecycle[i]; i++)
			if (rule(ctx, SCMP_ACT_ALLOW, lifecycle[i], 0, NULL, err) < 0)
				return -1;
	}
	return 0;
}

/* The action of a call no rule names. */
static uint32_t fallback(const struct app *a)
{
	if (a->seccomp == SECCOMP_RETAIN)
		return blocked(a);
	if (a->seccomp == SECCOMP_REMOVE && !a->seccomp_base)
		return SCMP_ACT_ALLOW;
	return SCMP_ACT_ERRNO(EPERM);
}

static int arches(scmp_filter_ctx ctx, struct err *err)
{
#if defined(__x86_64__)
	int rc = seccomp_arch_add(ctx, SCMP_ARCH_X86);

	if (rc < 0 && rc != -EEXIST)
		return fail(err, "seccomp_arch_add", "x86", -rc, "%s: adding the x86 ABI",
			    strerror(-rc));
#else
	(void)ctx;
	(void)err;
#endif
	return 0;
}

/* Builds the program with libseccomp and copies it out of a memfd into *out. */
static int generate(const struct app *a, struct sock_fprog *out, struct err *err)
{
	scmp_filter_ctx ctx = seccomp_init(fallback(a));
	struct stat st;
	cleanup_free void *buf = NULL;
	cleanup_close int fd = -1;
	int rc = -1;

	if (!ctx)
		return fail(err, "seccomp_init", a->name, ENOMEM, "cannot build the seccomp filter");
	/* no_new_privs is the plan's decision (app.c), not a side effect of loading a filter */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0) {
		fail(err, "seccomp_attr_set", a->name, -rc, "%s: setting a filter attribute",
		     strerror(-rc));
		rc = -1;
	} else if (arches(ctx, err) < 0 ||
		   ((a->seccomp == SECCOMP_DEFAULT || a->seccomp_base) && rules(ctx, a, err) < 0) ||
		   set_rules(ctx, a, err) < 0) {
		rc = -1;
	} else if ((fd = memfd_create("rkj-seccomp", MFD_CLOEXEC)) < 0) {
		rc = fail_errno(err, "memfd_create", a->name);
	} else if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		rc = fail(err, "seccomp_export_bpf", a->name, -rc, "%s: exporting the seccomp filter",
			  strerror(-rc));
	} else if (fstat(fd, &st) < 0) {
		rc = fail_errno(err, "fstat", "memfd:rkj-seccomp");
	} else if (!(buf = malloc(st.st_size ? st.st_size : 1))) {
		rc = fail_oom(err, "the seccomp filter");
	} else if (pread(fd, buf, st.st_size, 0) != st.st_size) {
		rc = fail_errno(err, "read", "memfd:rkj-seccomp");
	} else {
		out->filter = steal_ptr(&buf);
		out->len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
		rc = 0;
	}
	seccomp_release(ctx);
	return rc;
}

/* The filter's whole key: what its program is made of (the cache file's name holds a hash of it). */
static char *key_of(const struct app *a, size_t *len)
{
	char *key = NULL;
	size_t i;
	FILE *f = open_memstream(&key, len);

	if (!f)
		return NULL;
	fprintf(f, "rkj-seccomp %d caps=%016" PRIx64 " mode=%d base=%d errno=%d\n", RULES_VERSION,
		a->caps, a->seccomp, a->seccomp == SECCOMP_DEFAULT ? 1 : a->seccomp_base,
		a->seccomp == SECCOMP_DEFAULT ? 0 : a->seccomp_errno);
	for (i = 0; a->seccomp != SECCOMP_DEFAULT && i < a->nsyscalls; i++)
		fprintf(f, "%s\n", a->syscalls[i]);
	if (fclose(f) != 0) {
		free(key);
		return NULL;
	}
	return key;
}

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

#define KEY_ROOM(n) (((n) + 7) / 8 * 8)

/* A program rkj-stage1 cached before under this key: 0 and *out when it looks whole, -1 otherwise. */
static int cached(const char *path, const char *key, size_t key_len, struct sock_fprog *out)
{
	cleanup_close int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	cleanup_free char *buf = NULL;
	size_t head = 8 + KEY_ROOM(key_len), size;
	uint32_t len;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size <= head)
		return -1;
	size = (size_t)st.st_size - head;
	if (size % sizeof(struct sock_filter) || size > BPF_MAXINSNS * sizeof(struct sock_filter) ||
	    !(buf = malloc(st.st_size)) || pread(fd, buf, st.st_size, 0) != st.st_size)
		return -1;
	memcpy(&len, buf, sizeof len);
	if (len != key_len || memcmp(buf + 8, key, key_len))
		return -1; /* another filter's (a hash collision) or a damaged file */
	if (((struct sock_filter *)(buf + head))[size / sizeof(struct sock_filter) - 1].code !=
	    (BPF_RET | BPF_K)) /* the kernel wants a return last: not cut short */
		return -1;
	out->filter = malloc(size);
	if (!out->filter)
		return -1;
	memcpy(out->filter, buf + head, size);
	out->len = (unsigned short)(size / sizeof(struct sock_filter));
	return 0;
}

/* Best effort: a cache that cannot be written only costs the next launch the generation. */
static void cache(const char *path, const char *key, size_t key_len, const struct sock_fprog *prog)
{
	char tmp[4096], head[8] = { 0 }, pad[8] = { 0 };
	size_t size = prog->len * sizeof(struct sock_filter);
	uint32_t len = (uint32_t)key_len;
	cleanup_close int fd = -1;

	/* a unique name (mkostemp, mode 0600): the PID 1 of every pod is pid 1 */
	if (snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= (int)sizeof tmp)
		return;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return;
	memcpy(head, &len, sizeof len);
	if (write_all(fd, head, sizeof head) < 0 || write_all(fd, key, key_len) < 0 ||
	    write_all(fd, pad, KEY_ROOM(key_len) - key_len) < 0 ||
	    write_all(fd, prog->filter, size) < 0 || fsync(fd) < 0 || close(steal_fd(&fd)) < 0 ||
	    rename(tmp, path) < 0)
		unlink(tmp);
}

int seccomp_prepare(const struct app *a, const char *cache_dir, struct sock_fprog *out,
		    struct err *err)
{
	char path[4096], extra[64] = "";
	cleanup_free char *key = NULL;
	size_t key_len = 0;

	memset(out, 0, sizeof *out);
	if (a->seccomp == SECCOMP_NONE)
		return 0;
	key = key_of(a, &key_len);
	if (key && a->seccomp != SECCOMP_DEFAULT)
		snprintf(extra, sizeof extra, "-%c%d-%d-%016" PRIx64,
			 a->seccomp == SECCOMP_RETAIN ? 'r' : 'd', a->seccomp_base, a->seccomp_errno,
			 fnv1a(key, key_len));
	if (!key || !cache_dir ||
	    snprintf(path, sizeof path, "%s/seccomp-v%d-%016" PRIx64 "%s.bpf", cache_dir,
		     RULES_VERSION, a->caps, extra) >= (int)sizeof path)
		return generate(a, out, err);
	if (cached(path, key, key_len, out) == 0)
		return 0;
	if (generate(a, out, err) < 0)
		return -1;
	cache(path, key, key_len, out);
	return 0;
}

int seccomp_same(const struct app *a, const struct app *b)
{
	size_t i;

	if (a->caps != b->caps || a->seccomp != b->seccomp)
		return 0;
	if (a->seccomp == SECCOMP_DEFAULT || a->seccomp == SECCOMP_NONE)
		return 1;
	if (a->seccomp_base != b->seccomp_base || a->seccomp_errno != b->seccomp_errno ||
	    a->nsyscalls != b->nsyscalls)
		return 0;
	for (i = 0; i < a->nsyscalls; i++)
		if (strcmp(a->syscalls[i], b->syscalls[i]))
			return 0;
	return 1;
}

int seccomp_install(const struct sock_fprog *prog, struct err *err)
{
	/* as libseccomp's seccomp_load with SCMP_FLTATR_CTL_NNP 0: no flags, no no_new_privs */
	if (prog->len && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog, 0, 0) < 0)
		return fail(err, "prctl", "PR_SET_SECCOMP", errno, "%s: loading the seccomp filter",
			    strerror(errno));
	return 0;
}
