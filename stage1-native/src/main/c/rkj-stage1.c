/*
 * rkj-stage1: the native stage1 of rkj. It turns a plan written by stage0 (the JVM) into a
 * running pod: namespaces, root filesystem, apps, exit statuses.
 *
 *   rkj-stage1 run <plan-file>
 *   rkj-stage1 run -               (a spare, spawned before its pod is known: it waits for one
 *                                   line on fd 4, the plan file's path; end of file there means
 *                                   stage0 has no pod for it: it exits 254 and says nothing)
 *   rkj-stage1 enter <podDir> [--app NAME] -- CMD ARGS...
 *   rkj-stage1 netns <path>        (a new network namespace, kept by a bind mount at <path>:
 *                                   stage0 makes a pod's netns with it before the CNI plugins
 *                                   run, and the plan's `netns` has stage1 join it)
 *
 * Processes and protocol of `run`:
 *
 *   stage0 (JVM)            rkj-stage1 "monitor"             pod PID 1               app
 *   (host namespaces)       (host namespaces)                (new pid,mnt,uts,ipc,  (pid 2, 3...)
 *                                                             net namespaces)
 *        | posix_spawn, setsid     |                               |                     |
 *        |------------------------>| flock <podDir>/lock           |                     |
 *        |                         | join cgroups (cgroup.procs)   |                     |
 *        |                         | clone(NEWPID|NEWNS|...) ----->| blank argv, NEWCGROUP
 *        |                         | write <podDir>/pid            | private mounts,     |
 *        |                         |                               | /proc /sys /dev,    |
 *        |                         |                               | masks, pivot_root,  |
 *        |                         |                               | hostname            |
 *        |<-- fd 3: ready <pid1> --|<-------- sock: ready ---------| lo up               |
 *        |                         |                               | fork --------------->| user, caps,
 *        |                         |                               |<-- CLOEXEC pipe: ---| no_new_privs,
 *        |                         |                               |    EOF or struct err| execve
 *        |<- started <app> <pid> --|<- sock: started <app> <pid> --|  (pid rewritten to the host
 *        |                         |    + SCM_CREDENTIALS          |   PID namespace by the kernel)
 *        |        ... app output: pipes -> PID 1 -> <podDir>/logs/<app> + stage1's stdout/stderr
 *        |        ... app's TCP 127.0.0.1:<mds_port> -> PID 1 -> the metadata service's socket (mds.c)
 *        |<- exited <app> code=N --|<-------- sock: exited --------| waitpid, writes     |
 *        |   [signal=S]            |                               | <podDir>/status/<app>
 *        |<- EOF, then waitpid ----| exits with PID 1's status     | exits when all apps are done
 *        |                         | (dies of PID 1's signal)      |
 *
 *   An app with a pre-start hook: PID 1 forks the hook first ("started" names its pid), then the
 *   app when it exits 0 ("started" again, with the app's pid); a failing hook is the app's
 *   "exited". A post-stop hook runs after the app's "exited". When an app fails (a non-zero
 *   status or a signal), PID 1 sends the others SIGTERM and, the plan's stop_grace_ms later,
 *   SIGKILL, and exits with that first failure's status.
 *
 *   Any failure before an app's (or its pre-start's) execve is reported instead as
 *        error <call> <path> <errno> <message>
 *   and stage1 exits 254 (an app that started before is killed and reported as exited).
 *   Exit statuses are the plan's: an app killed by signal S has status <signal_base>+S.
 *   <path> has space, tab, newline and backslash escaped as \ooo octal
 *   ("-" when there is none); <message> is the rest of the line. Lines end with '\n'.
 *
 * SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to the monitor are forwarded to
 * PID 1, which forwards them to the apps. To kill a pod, SIGKILL its PID 1: every process of the
 * pod dies with it and the monitor, after reaping it, dies of SIGKILL too. PID 1 also dies with
 * the monitor (PR_SET_PDEATHSIG), but then nobody but the host's init reaps it.
 *
 * An interactive pod (plan: interactive 1, one app) runs its app on a pseudo-terminal of its own:
 * PID 1 opens the pod's devpts instance's ptmx, binds the slave on /dev/console and gives it to
 * the app as fds 0, 1, 2 and controlling terminal; PID 1 keeps the master. stage1's own fds are
 * not the app's. The master's output goes to <podDir>/logs/<app> and to the attach socket,
 * <podDir>/attach (AF_UNIX, SOCK_STREAM, mode 0600, listening from before the app starts until
 * the app is done; then removed):
 *
 *   pod -> client   the pty's output, raw bytes. While no client is attached, the latest 64 KiB
 *                   are kept and sent first to the next client that attaches.
 *   client -> pod   frames: 1 type byte, 2-byte big-endian payload length, payload.
 *                     'd' LEN BYTES        bytes typed into the pty (Ctrl-C is 0x03: the pty
 *                                          signals the app's foreground job, as a terminal does)
 *                     'w' 0x0004 ROWS COLS window size, uint16 big-endian each; TIOCSWINSZ on
 *                                          the master (the kernel sends SIGWINCH to the app)
 *                   other types are ignored. A frame waits while the pty takes no more input.
 *   One client at a time: another one reads "rkj: pod already attached\n" and is closed. The
 *   client's EOF detaches it: the app runs on, its output goes on to the log (and is kept for the
 *   next client). When the app is done, PID 1 sends the last output, then closes the client (EOF).
 *   A client that does not read blocks the pty's output, as a stopped terminal does.
 *
 * The monitor holds an exclusive flock on <podDir>/lock for the life of the pod: whoever can
 * take it knows the pod is gone. <podDir>/status/<app> holds "code=N [signal=S]". The pod
 * directory's names are in pod_dir.h.
 *
 * The files: rkj-stage1.c (main, the monitor), plan.c (the plan), pod.c (the pod's PID 1),
 * attach.c (an interactive pod's pty and attach socket), mds.c (PID 1's relay to the metadata
 * service, for a registered pod of a private network), app.c (an app between fork and
 * execve), seccomp.c (the filter), enter.c (`enter`), userns.c (--private-users, `idmap`), util.c
 * (errors, I/O, cleanup attributes).
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the monitor: stays in the host namespaces, relays PID 1's messages to stage0 ---- */

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

static void proto_send(struct pod *pod, const char *line)
{
	char buf[4200];
	int n = snprintf(buf, sizeof buf, "%s\n", line);

	if (pod->proto < 0)
		return;
	if (write_all(pod->proto, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1) < 0)
		pod->proto = -1; /* stage0 is gone: the pod goes on, the status files tell the rest */
}

static void proto_error(struct pod *pod, const struct err *err)
{
	char line[2600];

	err_line(err, line, sizeof line);
	proto_send(pod, line);
	err_print(err);
}

/* Takes <podDir>/lock. A lock probe (LOCK_SH) may hold it for a moment: retry briefly. */
static int take_lock(struct pod *pod, struct err *err)
{
	char path[4096];
	struct timespec ms = { 0, 1000000 };
	int i;

	if (path_join(path, sizeof path, pod->plan.pod_dir, POD_DIR_LOCK, err) < 0)
		return -1;
	pod->lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (pod->lock < 0)
		return fail_errno(err, "open", path);
	for (i = 0; flock(pod->lock, LOCK_EX | LOCK_NB) < 0; i++) {
		if (errno != EWOULDBLOCK || i == 100)
			return fail(err, "flock", path, errno,
				    "%s: is the pod already running? (rkj status)", strerror(errno));
		nanosleep(&ms, NULL);
	}
	return 0;
}

static int write_pid_file(struct pod *pod, struct err *err)
{
	char tmp[4096], path[4096], buf[32];
	cleanup_close int fd = -1;
	int n = snprintf(buf, sizeof buf, "%d\n", pod->pid1);

	if (path_join(tmp, sizeof tmp, pod->plan.pod_dir, POD_DIR_PID_TMP, err) < 0 ||
	    path_join(path, sizeof path, pod->plan.pod_dir, POD_DIR_PID, err) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return fail_errno(err, "open", tmp);
	if (write_all(fd, buf, (size_t)n) < 0)
		return fail_errno(err, "write", tmp);
	if (close(steal_fd(&fd)) < 0)
		return fail_errno(err, "close", tmp);
	if (rename(tmp, path) < 0)
		return fail_errno(err, "rename", path);
	return 0;
}

/* The monitor joins the pod's network namespace (CNI's), so PID 1 is cloned into it. */
static int join_netns(const char *path, struct err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail_errno(err, "open", path);
	if (setns(fd, CLONE_NEWNET) < 0)
		return fail_errno(err, "setns", path);
	return 0;
}

/* `rkj-stage1 netns PATH`: unshare a network namespace and bind-mount it on PATH (a new file). */
static int netns_main(const char *path)
{
	struct err err = { 0 };
	cleanup_close int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);

	if (fd < 0)
		fail_errno(&err, "open", path);
	else if (unshare(CLONE_NEWNET) < 0)
		fail_errno(&err, "unshare", "CLONE_NEWNET");
	else if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
		fail_errno(&err, "mount", path);
	if (!err.call[0])
		return 0;
	err_print(&err);
	if (fd >= 0)
		unlink(path);
	return EXIT_STAGE1;
}

static int start_pod(struct pod *pod, struct err *err)
{
	int flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC;
	int sv[2], one = 1;
	cleanup_close int ours = -1;
	cleanup_close int theirs = -1;
	sigset_t mask;
	size_t i;

	TRACE("plan");
	if (take_lock(pod, err) < 0)
		return -1;
	TRACE("lock");
	if (join_cgroups(pod->plan.cgroups, pod->plan.ncgroups, err) < 0)
		return -1;
	TRACE("cgroups-joined");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return fail_errno(err, "socketpair", NULL);
	ours = sv[0];
	theirs = sv[1];
	if (setsockopt(ours, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
		return fail_errno(err, "setsockopt", "SO_PASSCRED");
	/* Block the forwarded signals before the clone, so none is lost in between. */
	sigemptyset(&mask);
	for (i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(&mask, forwarded[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (pod->plan.netns && join_netns(pod->plan.netns, err) < 0)
		return -1;
	if (!pod->plan.host_net && !pod->plan.netns)
		flags |= CLONE_NEWNET;
	pod->pid1 = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
	if (pod->pid1 < 0)
		return fail_errno(err, "clone", pod->plan.rootfs);
	if (pod->pid1 == 0) {
		close(steal_fd(&ours));
		pod_main(pod, steal_fd(&theirs));
	}
	TRACE("cloned");
	pod->sock = steal_fd(&ours);
	pod->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (pod->sigfd < 0)
		return fail_errno(err, "signalfd", NULL);
	return write_pid_file(pod, err);
}

/* Relays one message of PID 1; "started" gets the app's pid in our namespace. */
static void relay(struct pod *pod, char *msg, const struct ucred *cred)
{
	char line[4200], app[256];

	if (strcmp(msg, "ready") == 0) {
		snprintf(line, sizeof line, "ready %d", pod->pid1);
		proto_send(pod, line);
	} else if (cred && sscanf(msg, "started %255s", app) == 1) {
		snprintf(line, sizeof line, "started %s %d", app, cred->pid);
		proto_send(pod, line);
		TRACE("relayed-started");
	} else {
		proto_send(pod, msg); /* PID 1 printed its errors itself */
	}
}

static int receive(struct pod *pod)
{
	char buf[4096], ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof buf - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl, .msg_controllen = sizeof ctl };
	struct cmsghdr *c;
	const struct ucred *cred = NULL;
	ssize_t n = recvmsg(pod->sock, &mh, MSG_CMSG_CLOEXEC);

	if (n < 0)
		return errno == EINTR ? 1 : -1;
	if (n == 0)
		return 0;
	buf[n] = 0;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			cred = (const struct ucred *)CMSG_DATA(c);
	relay(pod, buf, cred);
	return 1;
}

/* PID 1 was killed (SIGKILL from stage0 kills the pod through it): end the same way. */
static void die_of(int sig, int signal_base)
{
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(signal_base + sig);
}

static int monitor(struct pod *pod)
{
	struct pollfd fds[2] = { { pod->sock, POLLIN, 0 }, { pod->sigfd, POLLIN, 0 } };
	struct signalfd_siginfo si;
	int status;

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents & POLLIN && read(pod->sigfd, &si, sizeof si) == sizeof si)
			kill(pod->pid1, (int)si.ssi_signo);
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR) && receive(pod) <= 0)
			break; /* every copy of PID 1's end is closed: the pod is gone */
	}
	while (waitpid(pod->pid1, &status, 0) < 0)
		if (errno != EINTR)
			return EXIT_STAGE1;
	if (WIFSIGNALED(status))
		die_of(WTERMSIG(status), pod->plan.signal_base);
	return WEXITSTATUS(status);
}

/*
 * A spare's plan: one line on fd 4, the plan file's path. Our command line then names it, as a
 * `run <plan-file>` one does (what finds a pod's stage1 by its command line finds this one too):
 * "<argv[0]>\0run\0<path>\0" in <cmdline>, which outlives us (main's). 1: stage0 sent none.
 */
static int spare_plan(char *argv0, char *cmdline, size_t size, char **path, char **args,
		      size_t *args_len)
{
	size_t n0 = strlen(argv0) + 1, len = 0;
	char *p;
	ssize_t n;

	if (n0 + 4 >= size)
		return 1;
	memcpy(cmdline, argv0, n0);
	memcpy(cmdline + n0, "run", 4);
	p = cmdline + n0 + 4;
	while (len < size - n0 - 5 && (n = read(4, p + len, size - n0 - 5 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return 1;
		len += (size_t)n;
		if (p[len - 1] == '\n')
			break;
	}
	close(4);
	if (!len || p[len - 1] != '\n')
		return 1;
	p[len - 1] = 0;
	*path = p;
	/* the kernel checks start <= end at each step: the buffer lies below the stack's argv */
	if (prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)cmdline, 0, 0) == 0 &&
	    prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)(p + len), 0, 0) == 0) {
		*args = cmdline;
		*args_len = n0 + 4 + len;
	}
	return 0;
}

static int run(const char *plan_path, char *args, size_t args_len)
{
	struct pod pod = { .proto = -1, .lock = -1, .sock = -1, .sigfd = -1,
			   .status_dir = -1, .logs_dir = -1, .args = args, .args_len = args_len };
	struct err err = { 0 };

	TRACE("main");
	if (fcntl(3, F_SETFD, FD_CLOEXEC) == 0)
		pod.proto = 3;
	signal(SIGPIPE, SIG_IGN); /* stage0 may go away; the pod does not go with it */
	if (setsid() < 0 && errno != EPERM) /* EPERM: already a session leader */
		fail_errno(&err, "setsid", NULL);
	if (err.call[0] || plan_read(plan_path, &pod.plan, &err) < 0 || start_pod(&pod, &err) < 0) {
		proto_error(&pod, &err);
		if (pod.pid1 > 0) {
			kill(pod.pid1, SIGKILL);
			waitpid(pod.pid1, NULL, 0);
		}
		return EXIT_STAGE1;
	}
	return monitor(&pod);
}

static void usage(void)
{
	fprintf(stderr, "usage: rkj-stage1 run <plan-file>|-\n"
			"       rkj-stage1 enter <podDir> [--app NAME] -- CMD ARGS...\n"
			"       rkj-stage1 idmap <shift> <count> <source> <target>\n"
			"       rkj-stage1 netns <path>\n");
}

int main(int argc, char **argv)
{
	static char cmdline[8192];
	char *plan, *args = argc > 0 ? argv[0] : NULL;
	size_t args_len = argc > 0 ? (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]) : 0;

	if (argc == 3 && strcmp(argv[1], "run") == 0 && strcmp(argv[2], "-") == 0) {
		if (spare_plan(argv[0], cmdline, sizeof cmdline, &plan, &args, &args_len))
			return EXIT_STAGE1;
		return run(plan, args, args_len);
	}
	/* argv's strings lie end to end: PID 1 blanks them, as they name host paths */
	if (argc == 3 && strcmp(argv[1], "run") == 0)
		return run(argv[2], args, args_len);
	if (argc >= 2 && strcmp(argv[1], "enter") == 0)
		return enter_main(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "idmap") == 0)
		return idmap_main(argc - 2, argv + 2);
	if (argc == 3 && strcmp(argv[1], "netns") == 0)
		return netns_main(argv[2]);
	usage();
	return EXIT_STAGE1;
}
