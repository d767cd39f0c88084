/*
 * An interactive pod's terminal, kept by the pod's PID 1 (the protocol is at the top of
 * rkj-stage1.c): a pty made in the pod's own devpts instance, its slave on /dev/console and
 * the app's fds 0, 1 and 2, its master here; <podDir>/attach, where one client at a time gets
 * the master's output and sends framed input and window sizes. The master's output reaches
 * attach_output through pump() (pod.c), after the log. Nothing here touches stage1's own fds.
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static const char busy[] = "rkj: pod already attached\n";

/* The pty, in <rootfs>/dev/pts (mounted just before), its slave bound on <rootfs>/dev/console. */
static int make_pty(struct attach *at, const char *rootfs, struct err *err)
{
	char ptmx[4096], console[4096], pts[4200];
	cleanup_close int fd = -1;
	int unlock = 0, n;

	if (path_join(ptmx, sizeof ptmx, rootfs, "dev/pts/ptmx", err) < 0 ||
	    path_join(console, sizeof console, rootfs, "dev/console", err) < 0)
		return -1;
	at->master = open(ptmx, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (at->master < 0)
		return fail_errno(err, "open", ptmx);
	if (ioctl(at->master, TIOCSPTLCK, &unlock) < 0)
		return fail_errno(err, "ioctl(TIOCSPTLCK)", ptmx);
	if (ioctl(at->master, TIOCGPTN, &n) < 0)
		return fail_errno(err, "ioctl(TIOCGPTN)", ptmx);
	snprintf(pts, sizeof pts, "%s/dev/pts/%d", rootfs, n);
	/* the slave of this very master, without a path lookup (Linux 4.13); else by its name */
	at->slave = ioctl(at->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (at->slave < 0)
		at->slave = open(pts, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (at->slave < 0)
		return fail_errno(err, "open", pts);
	fd = open(console, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail_errno(err, "open", console);
	if (mount(pts, console, NULL, MS_BIND, NULL) < 0)
		return fail_errno(err, "mount", console);
	return 0;
}

/* <podDir>/attach, mode 0600, bound through /proc/self/fd so that a long pod dir fits. */
static int listen_attach(struct attach *at, const char *pod_dir, struct err *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char path[4096];
	mode_t old;
	int rc;

	if (path_join(path, sizeof path, pod_dir, POD_DIR_ATTACH, err) < 0)
		return -1;
	at->dir = open(pod_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (at->dir < 0)
		return fail_errno(err, "open", pod_dir);
	if (unlinkat(at->dir, POD_DIR_ATTACH, 0) < 0 && errno != ENOENT)
		return fail_errno(err, "unlink", path); /* a stale socket from an earlier run */
	at->listen = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (at->listen < 0)
		return fail_errno(err, "socket", path);
	snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/" POD_DIR_ATTACH, at->dir);
	old = umask(0177);
	rc = bind(at->listen, (struct sockaddr *)&addr, sizeof addr);
	umask(old);
	if (rc < 0)
		return fail_errno(err, "bind", path);
	if (listen(at->listen, 4) < 0)
		return fail_errno(err, "listen", path);
	return 0;
}

int attach_setup(struct pod *pod, struct err *err)
{
	struct attach *at = calloc(1, sizeof *at);

	if (!at)
		return fail_oom(err, POD_DIR_ATTACH);
	at->master = at->slave = at->listen = at->client = at->dir = -1;
	pod->attach = at;
	return make_pty(at, pod->plan.rootfs, err) < 0 ? -1 :
	       listen_attach(at, pod->plan.pod_dir, err);
}

/* The client is gone or detached: the pod goes on, its output is kept for the next one. */
static void detach(struct attach *at)
{
	cleanup_closep(&at->client);
	at->in_len = at->in_done = 0;
	at->stalled = 0;
}

static int send_all(struct attach *at, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(at->client, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			detach(at);
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void keep(struct attach *at, const char *buf, size_t len)
{
	size_t end, first;

	if (len >= ATTACH_KEEP) {
		memcpy(at->kept, buf + len - ATTACH_KEEP, ATTACH_KEEP);
		at->kept_start = 0;
		at->kept_len = ATTACH_KEEP;
		return;
	}
	end = (at->kept_start + at->kept_len) % ATTACH_KEEP;
	first = len < ATTACH_KEEP - end ? len : ATTACH_KEEP - end;
	memcpy(at->kept + end, buf, first);
	memcpy(at->kept, buf + first, len - first);
	at->kept_len += len;
	if (at->kept_len > ATTACH_KEEP) { /* the oldest bytes go */
		at->kept_start = (at->kept_start + at->kept_len - ATTACH_KEEP) % ATTACH_KEEP;
		at->kept_len = ATTACH_KEEP;
	}
}

void attach_output(struct attach *at, const char *buf, size_t len)
{
	if (at->client < 0 || send_all(at, buf, len) < 0)
		keep(at, buf, len);
}

static void input(struct attach *at);

/* Another client: the line, and its input read so that closing does not reset it (ECONNRESET). */
static void refuse(int fd)
{
	char drain[4096];

	send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
	shutdown(fd, SHUT_WR);
	while (recv(fd, drain, sizeof drain, MSG_DONTWAIT) > 0)
		;
	close(fd);
}

static void accept_client(struct attach *at)
{
	size_t first;
	int fd;

	while ((fd = accept4(at->listen, NULL, NULL, SOCK_CLOEXEC)) >= 0 || errno == EINTR) {
		if (fd < 0)
			continue;
		if (at->client >= 0)
			input(at); /* the client may have detached just before: its EOF is queued */
		if (at->client >= 0) {
			refuse(fd);
			continue;
		}
		at->client = fd;
		first = at->kept_len < ATTACH_KEEP - at->kept_start ? at->kept_len :
								       ATTACH_KEEP - at->kept_start;
		if (send_all(at, at->kept + at->kept_start, first) == 0 &&
		    send_all(at, at->kept, at->kept_len - first) == 0)
			at->kept_start = at->kept_len = 0;
	}
}

/* Applies the frame at in[0] (whole). 1: done; 0: the pty takes no more input for now. */
static int apply(struct attach *at, size_t len)
{
	const unsigned char *p = at->in + 3;
	struct winsize ws = { 0 };
	ssize_t n;

	if (at->in[0] == 'w' && len == 4) {
		ws.ws_row = (unsigned short)(p[0] << 8 | p[1]);
		ws.ws_col = (unsigned short)(p[2] << 8 | p[3]);
		ioctl(at->master, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH to the app */
		return 1;
	}
	while (at->in[0] == 'd' && at->in_done < len) {
		n = write(at->master, p + at->in_done, len - at->in_done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return 1; /* the app is gone: its input with it */
		at->in_done += (size_t)n;
	}
	return 1; /* other types are ignored, for clients newer than us */
}

/* Reads the client's frames and applies each whole one, until the client or the pty waits. */
static void input(struct attach *at)
{
	size_t len;
	ssize_t n;

	for (;;) {
		len = at->in_len >= 3 ? (size_t)(at->in[1] << 8 | at->in[2]) : 0;
		if (at->in_len >= 3 && at->in_len >= 3 + len) {
			at->stalled = !apply(at, len);
			if (at->stalled)
				return;
			memmove(at->in, at->in + 3 + len, at->in_len - 3 - len);
			at->in_len -= 3 + len;
			at->in_done = 0;
			continue;
		}
		if (at->client < 0)
			return;
		n = recv(at->client, at->in + at->in_len, sizeof at->in - at->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			detach(at); /* EOF: the client detached */
			return;
		}
		at->in_len += (size_t)n;
	}
}

int attach_fds(struct attach *at, struct pollfd *fds)
{
	int n = 0;

	fds[n++] = (struct pollfd){ at->listen, POLLIN, 0 };
	if (at->stalled) /* a frame waits for the pty: the client's next ones wait for it */
		fds[n++] = (struct pollfd){ at->master, POLLOUT, 0 };
	else
		fds[n++] = (struct pollfd){ at->client, POLLIN, 0 };
	return n;
}

void attach_events(struct attach *at)
{
	accept_client(at);
	input(at);
}

void attach_end(struct pod *pod)
{
	struct attach *at = pod->attach;
	char drain[4096];

	if (!at)
		return;
	/* unread input would reset the connection (ECONNRESET) before the client read it all */
	while (at->client >= 0 && recv(at->client, drain, sizeof drain, MSG_DONTWAIT) > 0)
		;
	if (at->client >= 0)
		shutdown(at->client, SHUT_RDWR);
	cleanup_closep(&at->client);
	cleanup_closep(&at->listen);
	if (at->dir >= 0)
		unlinkat(at->dir, POD_DIR_ATTACH, 0);
	cleanup_closep(&at->dir);
	cleanup_closep(&at->slave);
	cleanup_closep(&at->master);
}
