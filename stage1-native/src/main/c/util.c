/* Errors, whole-buffer I/O and small path helpers: see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>

int fail(struct err *err, const char *call, const char *path, int errnum, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->call, sizeof err->call, "%s", call);
	snprintf(err->path, sizeof err->path, "%s", path ? path : "");
	err->errnum = errnum;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	} else {
		snprintf(err->msg, sizeof err->msg, "%s", strerror(errnum));
	}
	return -1;
}

int fail_errno(struct err *err, const char *call, const char *path)
{
	return fail(err, call, path, errno, NULL);
}

int fail_oom(struct err *err, const char *what)
{
	return fail(err, "malloc", what, ENOMEM, "out of memory for %s", what);
}

const char *self_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0 || (size_t)n == size - 1)
		return NULL;
	buf[n] = 0;
	if (buf[0] != '/' || !(slash = strrchr(buf, '/')) || slash == buf)
		return NULL;
	*slash = 0;
	return buf;
}

void err_print(const struct err *err)
{
	fprintf(stderr, "rkj-stage1: %s `%s`: %s (errno %d)\n", err->call, err->path, err->msg,
		err->errnum);
}

/* Space, tab, newline and backslash as \ooo octal. */
static size_t escape(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; *s && n + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\\')
			n += snprintf(out + n, size - n, "\\%03o", c);
		else
			out[n++] = (char)c;
	}
	out[n] = 0;
	return n;
}

int err_line(const struct err *err, char *buf, size_t size)
{
	char path[sizeof err->path * 4 + 1];
	char msg[sizeof err->msg];
	char *p;

	if (err->path[0])
		escape(path, sizeof path, err->path);
	else
		strcpy(path, "-");
	snprintf(msg, sizeof msg, "%s", err->msg);
	for (p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return snprintf(buf, size, "error %s %s %d %s", err->call, path, err->errnum, msg);
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int read_file(const char *path, char **out, size_t *len, struct err *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	cleanup_free char *buf = NULL;
	size_t cap = 4096, n = 0;

	if (fd < 0)
		return fail_errno(err, "open", path);
	if (!(buf = malloc(cap)))
		return fail_oom(err, path);
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb)
				return fail_oom(err, path);
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail_errno(err, "read", path);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*out = steal_ptr(&buf);
	*len = n;
	return 0;
}

int path_join(char *buf, size_t size, const char *a, const char *b, struct err *err)
{
	if ((size_t)snprintf(buf, size, "%s/%s", a, b) >= size)
		return fail(err, "path", a, ENAMETOOLONG, "path too long: %s/%s", a, b);
	return 0;
}

int join_cgroups(char **procs, size_t n, struct err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cleanup_close int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return fail_errno(err, "open", procs[i]);
		if (write_all(fd, "0", 1) < 0)
			return fail_errno(err, "write", procs[i]);
	}
	return 0;
}

#ifdef RKJ_TRACE
#include <time.h>
void trace(const char *what)
{
	static int fd = -1; /* stderr as it was at the first point */
	struct timespec ts;
	char line[160];
	int n;

	if (fd < 0)
		fd = fcntl(2, F_DUPFD_CLOEXEC, 100);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof line, "rkj-stage1 trace %d %s %lld\n", (int)getpid(), what,
		     (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (fd >= 0 && n > 0)
		write_all(fd, line, (size_t)n);
}
#endif
