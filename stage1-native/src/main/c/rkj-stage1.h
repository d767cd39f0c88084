/*
 * rkj-stage1: the pod's state and the functions of its parts. The protocol and the process
 * tree are drawn at the top of rkj-stage1.c. Who includes whom (no cycle):
 *
 *   util.h, pod_dir.h   <-  rkj-stage1.h  <-  rkj-stage1.c (main, monitor), plan.c, pod.c, attach.c,
 *                                              mds.c, app.c, enter.c, seccomp.c
 *
 * rkj-stage1 knows no appc: every default (capabilities, hostname, environment, the exit
 * status of a signalled app) comes from stage0 in the plan (plan.c).
 */
#ifndef RKJ_STAGE1_H
#define RKJ_STAGE1_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "pod_dir.h"
#include "util.h"

#include <linux/filter.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define EXIT_STAGE1 254            /* stage1's own failure (as rkt) */
#define PLAN_VERSION "5"
#define MAX_APPS 64
#define MAX_APPS_TEXT "64"
#define LOG_MIN_SIZE 4096         /* the smallest log_max_size: a record's header fits many times */
#define LOG_MIN_SIZE_TEXT "4096"

/*
 * An interactive pod's terminal (pod.c): the pty master kept by PID 1, the attach socket
 * <podDir>/attach and its one client. The protocol is at the top of rkj-stage1.c.
 */
#define ATTACH_KEEP 65536          /* output kept while no client is attached */
#define ATTACH_FRAME (3 + 65535)   /* type, length (BE16), payload */

struct attach {
	int master;                 /* the pty's master; the app's a->out is a dup of it */
	int slave;                  /* PID 1's copy until the app is started, then -1 */
	int listen;                 /* <podDir>/attach, listening */
	int client;                 /* the attached client, -1 if none */
	int dir;                    /* the pod directory, to unlink attach at the end */
	char kept[ATTACH_KEEP];     /* ring of the latest output while no client is attached */
	size_t kept_start, kept_len;
	unsigned char in[ATTACH_FRAME]; /* the client's input, up to one whole frame */
	size_t in_len;
	size_t in_done;             /* bytes of the 'd' frame at in[0] already written to master */
	int stalled;                /* that frame waits for the pty to take input */
};

/* A volume bound into an app (pod.c, app_mounts): made by PID 1 before pivot_root. */
struct mount_spec {
	char *source;               /* host path, a directory or a file */
	char *target;               /* inside the app's root; symlinks resolve inside it */
	int readonly;
	int recursive;              /* MS_REC: the source's submounts come along */
};

/* What an app's running process is (pod.c): pre-start hook, the app itself, post-stop hook. */
enum phase { PHASE_PRE_START = 1, PHASE_MAIN, PHASE_POST_STOP };

struct app {
	char *name;
	char *root;                 /* inside the pod rootfs */
	char **argv;
	size_t argc;
	char **env;                 /* the whole environment, KEY=VALUE */
	size_t envc;
	char *user;                 /* uid or name, NULL = 0 */
	char *group;                /* gid or name, NULL = the user's group */
	char **groups;              /* supplementary: gids or names */
	size_t ngroups;
	char *workdir;
	uint64_t caps;              /* retained capabilities, one bit each */
	int no_new_privs;
	int seccomp;                /* SECCOMP_* below: which filter (seccomp.c) */
	int seccomp_base;           /* retain/remove: 1 within the default filter, 0 on their own */
	int seccomp_errno;          /* retain/remove: what a blocked call returns; 0: SIGSYS kills */
	char **syscalls;            /* retain/remove: the set, by name */
	size_t nsyscalls;
	int oom_score_adj;          /* written to /proc/self/oom_score_adj; OOM_ADJ_KEEP: left alone */
	struct sock_fprog filter;   /* seccomp_prepare's program, loaded by app_become */
	char **cgroups;             /* cgroup.procs files the app joins */
	size_t ncgroups;
	struct mount_spec *mounts;  /* in the plan's order: a later mount may lie inside an earlier */
	size_t nmounts;
	int readonly_root;          /* the app's root is remounted read-only (its volumes keep theirs) */
	char **pre_start;           /* argv of the pre-start hook, NULL if none */
	size_t npre_start;
	char **post_stop;           /* argv of the post-stop hook, NULL if none */
	size_t npost_stop;

	/* run time, kept by the pod's PID 1 */
	pid_t pid;                  /* in the pod's PID namespace */
	int out, errout;            /* read ends of the app's stdout/stderr, -1 when closed */
	int log;                    /* <podDir>/logs/<app>, CRI records (pod.c, log_write) */
	int log_dir;                /* the pod's logs_dir (not ours to close): rotation renames in it */
	uint64_t log_size;          /* bytes in log */
	uint64_t log_max;           /* the plan's log_max_size */
	struct attach *attach;      /* the interactive app's terminal, else NULL */
	int *cgroup_fds;
	int userns;                 /* the pod's user namespace (userns.c), joined by app_become; -1: none */
	enum phase phase;           /* of the process pid is */
	int done;
	int code;                   /* exit code, signal_base+signal for a signal */
};

/* struct app.seccomp */
#define SECCOMP_NONE 0              /* unconfined */
#define SECCOMP_DEFAULT 1           /* the default filter */
#define SECCOMP_RETAIN 2            /* only the set (appc's os/linux/seccomp-retain-set) */
#define SECCOMP_REMOVE 3            /* all but the set (appc's os/linux/seccomp-remove-set) */
#define OOM_ADJ_KEEP (-1001)

struct plan {
	char *uuid;
	char *pod_dir;
	char *rootfs;
	char *hostname;
	int host_net;
	char *netns;                /* a network namespace to join (a bind-mounted nsfs file), or NULL */
	int interactive;
	int mask_paths;             /* read-only and masked /proc and /sys paths */
	int signal_base;            /* an app killed by signal S has status signal_base + S */
	uint64_t log_max_size;      /* an app's log is rotated to <app>.1 before it passes this */
	uint64_t stop_grace_ms;     /* when an app fails: SIGTERM to the others, SIGKILL after this */
	char **cgroups;             /* cgroup.procs files stage1 joins before clone */
	size_t ncgroups;
	int mds_port;               /* the metadata service relay's port in the pod, 0 for none */
	char *mds_socket;           /* the metadata service's unix socket (host path), NULL for none */
	uint32_t uid_shift;         /* the apps' uids and gids 0..uid_count-1 are uid_shift.. on the host; */
	uint32_t uid_count;         /* 0, 0: the apps run in the host's user namespace (userns.c) */
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
	struct attach *attach;      /* interactive pods only (PID 1), else NULL */
	struct mds *mds;            /* the metadata service relay (PID 1), else NULL */
	pid_t pid1;                 /* the pod's PID 1, in the host PID namespace */
	int stopping;               /* an app failed (PID 1): the others were sent SIGTERM */
	int first_code;             /* that app's status: the pod's */
	uint64_t kill_at_ms;        /* CLOCK_MONOTONIC ms at which they get SIGKILL, 0: none due */
	char *args;                 /* stage1's argv area (host paths): PID 1 blanks it */
	size_t args_len;
};

/* plan.c */
int plan_read(const char *path, struct plan *plan, struct err *err);
struct app *plan_app(struct plan *plan, const char *name, struct err *err);

/* pod.c: the pod's PID 1 */
__attribute__((noreturn)) void pod_main(struct pod *pod, int sock);

/* attach.c: an interactive pod's pty and attach socket, in PID 1 (before pivot_root: setup) */
int attach_setup(struct pod *pod, struct err *err);
void attach_output(struct attach *at, const char *buf, size_t len);
/* The descriptors to poll (at most 2), then attach_events after any poll wakeup. */
int attach_fds(struct attach *at, struct pollfd *fds);
void attach_events(struct attach *at);
/* The app is done: closes the client (it has every byte) and removes <podDir>/attach. */
void attach_end(struct pod *pod);

/*
 * mds.c: the metadata service relay in PID 1. mds_open (before pivot_root) opens the service
 * socket's directory; mds_listen (once lo is up) listens on 127.0.0.1:mds_port; then
 * mds_fds gives the descriptors to poll (at most MDS_FDS) and mds_events works after any wakeup.
 */
#define MDS_CONNS 8
#define MDS_FDS (1 + 2 * MDS_CONNS)
struct mds;
int mds_open(struct pod *pod, struct err *err);
int mds_listen(struct pod *pod, struct err *err);
int mds_fds(struct mds *m, struct pollfd *fds);
void mds_events(struct mds *m);

/* app.c: runs in the forked app process */
int app_become(const struct app *app, struct err *err);
int app_exec(const struct app *app, char **argv, struct err *err);
/* The status a shell reports for a wait status: the code, or signal_base + the signal. */
int app_status(const struct plan *plan, int wstatus);

/* seccomp.c: the app's filter program (empty if a->seccomp is 0), cached in cache_dir (may be
 * NULL); then loading it */
int seccomp_prepare(const struct app *app, const char *cache_dir, struct sock_fprog *out,
		    struct err *err);
int seccomp_install(const struct sock_fprog *prog, struct err *err);
/* Whether two apps get the same program (then PID 1 builds it once). */
int seccomp_same(const struct app *a, const struct app *b);

/*
 * userns.c: --private-users. PID 1 stays in the host's user namespace (it mounts, joins cgroups,
 * writes the pod's status and relays the metadata service as host root); the apps join a user
 * namespace of the pod's own, made once by userns_make, mapping 0..count-1 to the shift.
 */
int userns_make(const struct plan *plan, int *fd, struct err *err);
int userns_join(int fd, const char *shown, struct err *err);
/* enter: the user namespace of an app of the pod whose PID 1 is pid1 (in our PID namespace). */
int userns_of_pod(pid_t pid1, int *fd, struct err *err);
/* `rkj-stage1 idmap SHIFT COUNT SOURCE TARGET`: SOURCE bound on TARGET, its owners shifted. */
int idmap_main(int argc, char **argv);

/* enter.c */
int enter_main(int argc, char **argv);

#endif
