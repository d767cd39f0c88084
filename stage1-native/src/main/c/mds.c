/*
 * The metadata service relay, in the pod's PID 1 (a registered pod with a private network):
 *
 *   app ──TCP 127.0.0.1:mds_port (pod's netns)──▶ PID 1 ──unix /proc/self/fd/DIR/NAME──▶ MDS
 *
 * The service socket's directory is opened before pivot_root, so the pod sees no host path and
 * needs no mount of it; only PID 1 holds that descriptor (close-on-exec, and apps have too few
 * capabilities to reach PID 1's descriptors). Each accepted connection gets its own connection
 * to the service and bytes are copied both ways through a buffer per direction. Everything is
 * non-blocking and driven by PID 1's poll loop (pod.c); at most MDS_CONNS connections at once
 * (more wait in the listen backlog). A side's end of stream is passed on as shutdown(SHUT_WR)
 * once its bytes are written; a connection closes when both directions are done or a side fails.
 * The relay keeps nothing: the token in each request is what the service checks.
 */
#include "rkj-stage1.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MDS_BUF 16384

struct mds_half {
	char buf[MDS_BUF];          /* read from the other side, not yet written to this one */
	size_t len;
	int eof;                    /* the other side ended its stream */
	int shut;                   /* this side was told so (SHUT_WR) */
};

struct mds_conn {
	int fd[2];                  /* 0: the app's, 1: the service's; fd[0] -1: a free slot */
	struct mds_half to[2];      /* to[i]: bytes on their way to fd[i] */
};

struct mds {
	int dir;                    /* the service socket's directory, opened before pivot_root */
	const char *name;           /* the socket's file name in it */
	int listen;
	struct mds_conn conn[MDS_CONNS];
};

int mds_open(struct pod *pod, struct err *err)
{
	char dir[4096];
	const char *slash = strrchr(pod->plan.mds_socket, '/');
	struct mds *m;
	size_t i;

	snprintf(dir, sizeof dir, "%.*s", (int)(slash - pod->plan.mds_socket), pod->plan.mds_socket);
	m = calloc(1, sizeof *m);
	if (!m)
		return fail_oom(err, "mds relay");
	m->listen = -1;
	for (i = 0; i < MDS_CONNS; i++)
		m->conn[i].fd[0] = m->conn[i].fd[1] = -1;
	m->name = slash + 1;
	m->dir = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (m->dir < 0) {
		free(m);
		return fail_errno(err, "open", *dir ? dir : "/");
	}
	pod->mds = m;
	return 0;
}

int mds_listen(struct pod *pod, struct err *err)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)pod->plan.mds_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char what[64];
	int one = 1, fd;

	snprintf(what, sizeof what, "127.0.0.1:%d", pod->plan.mds_port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail_errno(err, "socket", what);
	pod->mds->listen = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return fail_errno(err, "setsockopt", what);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return fail_errno(err, "bind", what);
	if (listen(fd, 16) < 0)
		return fail_errno(err, "listen", what);
	return 0;
}

/* A new connection to the service, or -1 (it does not run, or its backlog is full). */
static int service(struct mds *m)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", m->dir, m->name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void conn_close(struct mds_conn *c)
{
	cleanup_closep(&c->fd[0]);
	cleanup_closep(&c->fd[1]);
	c->to[0].len = c->to[1].len = 0;
	c->to[0].eof = c->to[1].eof = c->to[0].shut = c->to[1].shut = 0;
}

/* Moves bytes from fd[from] towards fd[1 - from]; -1 when the connection failed. */
static int pump(struct mds_conn *c, int from)
{
	int to = 1 - from;
	struct mds_half *h = &c->to[to];
	ssize_t n;

	if (!h->eof && h->len < MDS_BUF) {
		n = read(c->fd[from], h->buf + h->len, MDS_BUF - h->len);
		if (n > 0)
			h->len += (size_t)n;
		else if (n == 0)
			h->eof = 1;
		else if (errno != EAGAIN && errno != EINTR)
			return -1;
	}
	if (h->len) {
		n = send(c->fd[to], h->buf, h->len, MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (n > 0) {
			memmove(h->buf, h->buf + n, h->len - (size_t)n);
			h->len -= (size_t)n;
		}
	}
	if (h->eof && !h->len && !h->shut) {
		shutdown(c->fd[to], SHUT_WR);
		h->shut = 1;
	}
	return 0;
}

static short interest(const struct mds_conn *c, int i)
{
	return (short)((!c->to[1 - i].eof && c->to[1 - i].len < MDS_BUF ? POLLIN : 0) |
		       (c->to[i].len ? POLLOUT : 0));
}

int mds_fds(struct mds *m, struct pollfd *fds)
{
	int n = 0, i, free_slot = 0;
	struct mds_conn *c;

	for (c = m->conn; c < m->conn + MDS_CONNS; c++) {
		if (c->fd[0] < 0) {
			free_slot = 1;
			continue;
		}
		for (i = 0; i < 2; i++) { /* nothing wanted: not polled, so a hang-up cannot spin */
			short ev = interest(c, i);
			fds[n++] = (struct pollfd){ ev ? c->fd[i] : -1, ev, 0 };
		}
	}
	if (free_slot && m->listen >= 0)
		fds[n++] = (struct pollfd){ m->listen, POLLIN, 0 };
	return n;
}

void mds_events(struct mds *m)
{
	struct mds_conn *c;
	int fd, up, i;

	for (c = m->conn; c < m->conn + MDS_CONNS; c++) {
		if (c->fd[0] < 0)
			continue;
		if (pump(c, 0) < 0 || pump(c, 1) < 0 || (c->to[0].shut && c->to[1].shut))
			conn_close(c);
	}
	for (i = 0; i < MDS_CONNS && m->listen >= 0;) {
		c = &m->conn[i];
		if (c->fd[0] >= 0) {
			i++;
			continue;
		}
		fd = accept4(m->listen, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* none waiting (EAGAIN), or it left already */
		up = service(m);
		if (up < 0) { /* the service is not running: the app sees the connection close */
			close(fd);
			continue; /* the slot is still free */
		}
		c->fd[0] = fd;
		c->fd[1] = up;
		i++;
	}
}
