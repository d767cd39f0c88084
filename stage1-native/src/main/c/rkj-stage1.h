/*
 * rkj-stage1: shared declarations. The protocol and the process tree are drawn at the top
 * of rkj-stage1.c.
 */
#ifndef RKJ_STAGE1_H
#define RKJ_STAGE1_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXIT_STAGE1 254            /* stage1's own failure (as rkt) */
#define PLAN_FILE "stage1-plan"    /* inside the pod dir */
#define MAX_APPS 64
#define MAX_APPS_TEXT "64"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* An error: the call, its subject, errno and a message a user can act on. */
struct err {
	char call[32];
	char path[512];
	int errnum;
	char msg[256];
};

struct app {
	char *name;
	char *root;                 /* inside the pod rootfs, "/" by default */
	char **argv;
	size_t argc;
	char **env;                 /* plan env, KEY=VALUE */
	size_t envc;
	char *user;                 /* uid or name, NULL = 0 */
	char *group;                /* gid or name, NULL = the user's group */
	char **groups;              /* supplementary: gids or names */
	size_t ngroups;
	char *workdir;              /* "/" by default */
	uint64_t caps;              /* retained capabilities, one bit each */
	int no_new_privs;
	int seccomp;                /* 1: the default filter (seccomp.c), 0: unconfined */
	struct sock_fprog filter;   /* seccomp_prepare's program, loaded by app_become */
	char **cgroups;             /* cgroup.procs files the app joins */
	size_t ncgroups;

	/* run time, kept by the pod's PID 1 */
	pid_t pid;                  /* in the pod's PID namespace */
	int out, errout;            /* read ends of the app's stdout/stderr, -1 when closed */
	int log;                    /* <podDir>/logs/<app> */
	int *cgroup_fds;
	int done;
	int code;                   /* exit code, 128+signal for a signal */
};

struct plan {
	char *uuid;
	char *pod_dir;
	char *rootfs;
	char *hostname;
	int host_net;
	int interactive;
	int mask_paths;             /* read-only and masked /proc and /sys paths; default 1 */
	char **cgroups;             /* cgroup.procs files stage1 joins before clone */
	size_t ncgroups;
	struct app *apps;
	size_t napps;
};

/* The one state struct: the plan and the file descriptors of a running stage1. */
struct pod {
	struct plan plan;
	int proto;                  /* fd 3 to stage0, -1 if absent or gone */
	int lock;                   /* <podDir>/lock, flock'ed */
	int sock;                   /* SEQPACKET between the monitor and the pod's PID 1 */
	int sigfd;
	int status_dir;             /* <podDir>/status, opened before pivot_root */
	int logs_dir;
	pid_t pid1;                 /* the pod's PID 1, in the host PID namespace */
	char *args;                 /* stage1's argv area (host paths): PID 1 blanks it */
	size_t args_len;
};

/* rkj-stage1.c */
int fail(struct err *err, const char *call, const char *path, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
int fail_errno(struct err *err, const char *call, const char *path);
void err_print(const struct err *err);
int err_line(const struct err *err, char *buf, size_t size);
int write_all(int fd, const void *buf, size_t len);
int read_file(const char *path, char **out, size_t *len, struct err *err);
int path_join(char *buf, size_t size, const char *a, const char *b, struct err *err);
int join_cgroups(char **procs, size_t n, struct err *err);
const char *self_dir(char *buf, size_t size);

/* plan.c */
int plan_read(const char *path, struct plan *plan, struct err *err);
struct app *plan_app(struct plan *plan, const char *name, struct err *err);

/* pod.c: the pod's PID 1 */
__attribute__((noreturn)) void pod_main(struct pod *pod, int sock);

/* app.c: runs in the forked app process */
int app_become(const struct app *app, struct err *err);
char **app_env(const struct app *app);
int app_exec(const struct app *app, char **argv, struct err *err);

/* seccomp.c: the app's filter program (empty if a->seccomp is 0), cached in cache_dir (may be
 * NULL); then loading it */
int seccomp_prepare(const struct app *app, const char *cache_dir, struct sock_fprog *out,
		    struct err *err);
int seccomp_install(const struct sock_fprog *prog, struct err *err);

/* enter.c */
int enter_main(int argc, char **argv);

#endif
