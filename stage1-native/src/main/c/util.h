/*
 * Helpers every part of rkj-stage1 uses, in crun's manner: errors that carry the call, the
 * path and errno; cleanup attributes that close descriptors and free memory on every path out
 * of a scope; whole-buffer I/O. util.c depends on nothing else of rkj-stage1.
 */
#ifndef RKJ_UTIL_H
#define RKJ_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* An error: the call, its subject, errno and a message a user can act on. */
struct err {
	char call[32];
	char path[512];
	int errnum;
	char msg[256];
};

/* Fills *err and returns -1. fmt NULL: the message is strerror(errnum). */
int fail(struct err *err, const char *call, const char *path, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* fail() with errno. */
int fail_errno(struct err *err, const char *call, const char *path);
/* fail() for an allocation that returned NULL. */
int fail_oom(struct err *err, const char *what);
/* "rkj-stage1: <call> `<path>`: <msg> (errno N)" on stderr. */
void err_print(const struct err *err);
/* The protocol line "error <call> <path> <errno> <message>" (no newline). */
int err_line(const struct err *err, char *buf, size_t size);

int write_all(int fd, const void *buf, size_t len);
/* Reads a whole file, NUL-terminated; *out is the caller's to free. */
int read_file(const char *path, char **out, size_t *len, struct err *err);
/* "<a>/<b>" into buf, ENAMETOOLONG when it does not fit. */
int path_join(char *buf, size_t size, const char *a, const char *b, struct err *err);
/* Writes "0" to each cgroup.procs file: the calling process joins those cgroups. */
int join_cgroups(char **procs, size_t n, struct err *err);
/* The directory of the running binary, NULL if /proc/self/exe says something odd. */
const char *self_dir(char *buf, size_t size);

/*
 * Launch-time trace points, for profiling only: built with -DRKJ_TRACE, each TRACE(what) writes
 * "rkj-stage1 trace <pid> <what> <CLOCK_MONOTONIC ns>" to what was stderr at the first point (an
 * app's stderr is its log by the time it nears execve). Without it they compile to nothing.
 */
#ifdef RKJ_TRACE
void trace(const char *what);
#define TRACE(what) trace(what)
#else
#define TRACE(what) ((void)0)
#endif

/* ---- cleanup attributes (as crun's utils.h) ---- */

static inline void cleanup_freep(void *p)
{
	void **pp = (void **)p;

	free(*pp);
	*pp = NULL;
}

static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static inline void cleanup_filep(FILE **f)
{
	if (*f)
		fclose(*f);
	*f = NULL;
}

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_file __attribute__((cleanup(cleanup_filep)))

/* Hands a cleanup_close descriptor (or cleanup_free pointer) to someone else: the cleanup then
 * does nothing. */
static inline int steal_fd(int *fd)
{
	int r = *fd;

	*fd = -1;
	return r;
}

static inline void *steal_ptr(void *p)
{
	void **pp = (void **)p, *r = *pp;

	*pp = NULL;
	return r;
}

#endif
