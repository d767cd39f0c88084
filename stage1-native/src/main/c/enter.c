/*
 * `rkj-stage1 enter <podDir> [--app NAME] -- CMD ARGS...`: runs CMD inside a running pod,
 * in the pod's namespaces and as its app (root, user, capabilities, seccomp filter, env,
 * working dir), and exits with CMD's status (the plan's signal_base + the signal for a
 * signal). CMD joins the cgroups the plan names for the pod and the app, and the user namespace
 * of the pod's apps when it has one (--private-users, userns.c).
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static int pod_pid(const char *pod_dir, pid_t *pid, struct err *err)
{
	char path[4096];
	cleanup_free char *buf = NULL;
	size_t len;

	/* the pid file may be stale: trust it only while the pod holds its lock */
	if (path_join(path, sizeof path, pod_dir, POD_DIR_LOCK, err) < 0)
		return -1;
	{
		cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return fail(err, "open", path, errno, "%s: is this a pod dir?",
				    strerror(errno));
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return fail(err, "flock", path, ESRCH, "the pod is not running");
	}
	if (path_join(path, sizeof path, pod_dir, POD_DIR_PID, err) < 0 ||
	    read_file(path, &buf, &len, err) < 0)
		return -1;
	*pid = (pid_t)atoi(buf);
	if (*pid <= 0)
		return fail(err, "read", path, EINVAL, "no pid in %s", path);
	return 0;
}

#define NAMESPACES 5

/* The namespace descriptors join() opened; closed on every way out of it. */
struct ns_fds {
	int fd[NAMESPACES];
};

static void ns_fds_close(struct ns_fds *fds)
{
	size_t i;

	for (i = 0; i < NAMESPACES; i++)
		cleanup_closep(&fds->fd[i]);
}

static int join(pid_t pid, struct err *err)
{
	static const char *ns[NAMESPACES] = { "ipc", "uts", "net", "pid", "mnt" };
	__attribute__((cleanup(ns_fds_close))) struct ns_fds fds = { { -1, -1, -1, -1, -1 } };
	char path[64];
	size_t i;

	for (i = 0; i < NAMESPACES; i++) { /* open all first: /proc changes once we are in */
		snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, ns[i]);
		fds.fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds.fd[i] < 0)
			return fail_errno(err, "open", path);
	}
	for (i = 0; i < NAMESPACES; i++) {
		snprintf(path, sizeof path, "/proc/%d/ns/%s", pid, ns[i]);
		if (setns(fds.fd[i], 0) < 0)
			return fail_errno(err, "setns", path);
		cleanup_closep(&fds.fd[i]);
	}
	/* the cgroups joined before are the root of CMD's cgroup namespace, as for an app */
	if (unshare(CLONE_NEWCGROUP) < 0)
		return fail_errno(err, "unshare", "CLONE_NEWCGROUP");
	return 0;
}

static int run_in(const struct plan *plan, struct app *app, char **cmd, struct err *err)
{
	int status;
	pid_t pid = fork(); /* the new PID namespace applies to children only */

	if (pid < 0)
		return fail_errno(err, "fork", app->name);
	if (pid == 0) {
		if (app_become(app, err) == 0)
			app_exec(app, cmd, err);
		err_print(err);
		_exit(EXIT_STAGE1);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_errno(err, "waitpid", app->name);
	return app_status(plan, status);
}

int enter_main(int argc, char **argv)
{
	struct err err = { 0 };
	struct plan plan;
	struct app *app;
	const char *name = NULL;
	char path[4096], dir[4096];
	pid_t pid = 0;
	int i = 1, code;

	if (argc >= 3 && !strcmp(argv[1], "--app")) {
		name = argv[2];
		i = 3;
	}
	if (argc < i + 2 || strcmp(argv[i], "--")) {
		fprintf(stderr, "usage: rkj-stage1 enter <podDir> [--app NAME] -- CMD ARGS...\n");
		return EXIT_STAGE1;
	}
	if (path_join(path, sizeof path, argv[0], POD_DIR_PLAN, &err) < 0 ||
	    plan_read(path, &plan, &err) < 0 || !(app = plan_app(&plan, name, &err)) ||
	    pod_pid(argv[0], &pid, &err) < 0 ||
	    (plan.uid_count && userns_of_pod(pid, &app->userns, &err) < 0) ||
	    join_cgroups(plan.cgroups, plan.ncgroups, &err) < 0 ||
	    join_cgroups(app->cgroups, app->ncgroups, &err) < 0 ||
	    seccomp_prepare(app, self_dir(dir, sizeof dir), &app->filter, &err) < 0 ||
	    join(pid, &err) < 0 ||
	    (code = run_in(&plan, app, argv + i + 1, &err)) < 0) {
		err_print(&err);
		return EXIT_STAGE1;
	}
	return code;
}
