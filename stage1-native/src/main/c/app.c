/*
 * An app's process, between fork and execve: root, user and groups from the image's
 * /etc/passwd and /etc/group, oom_score_adj, seccomp filter, capabilities, no_new_privs, working directory,
 * environment, all as the plan says (no default of stage1's own).
 * Shared by `run` (pod.c) and `enter` (enter.c).
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_GROUPS 64

extern char **environ;

struct ids {
	uid_t uid;
	gid_t gid;
	gid_t groups[MAX_GROUPS];
	size_t ngroups;
};

static int number(const char *s, unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !*end && !errno && *out <= 0xfffffffeUL;
}

/* Finds NAME in an /etc/passwd or /etc/group of the app's root: its id and (passwd) gid. */
static int lookup(const char *file, const char *name, unsigned long *id, unsigned long *gid,
		  struct err *err)
{
	cleanup_file FILE *f = fopen(file, "re");
	cleanup_free char *line = NULL;
	char *fields[4], *p;
	size_t cap = 0, i;
	int found = 0;

	if (!f)
		return fail(err, "open", file, errno, "%s: `%s` is a name, the image needs %s",
			    strerror(errno), name, file);
	while (!found && getline(&line, &cap, f) > 0) {
		for (i = 0, p = line; i < 4 && p; i++)
			fields[i] = strsep(&p, ":\n");
		if (i < 4 || !fields[3] || strcmp(fields[0], name))
			continue;
		found = number(fields[2], id) && (!gid || number(fields[3], gid));
	}
	if (!found)
		return fail(err, "lookup", file, ENOENT, "no entry `%s` in the image's %s", name,
			    file);
	return 0;
}

static int group_id(const char *spec, gid_t *out, struct err *err)
{
	unsigned long id;

	if (!number(spec, &id) && lookup("/etc/group", spec, &id, NULL, err) < 0)
		return -1;
	*out = (gid_t)id;
	return 0;
}

static int resolve(const struct app *a, struct ids *ids, struct err *err)
{
	unsigned long id = 0, gid = 0;
	size_t i;

	if (a->user && !number(a->user, &id) && lookup("/etc/passwd", a->user, &id, &gid, err) < 0)
		return -1;
	ids->uid = (uid_t)id;
	ids->gid = (gid_t)gid;
	if (a->group && group_id(a->group, &ids->gid, err) < 0)
		return -1;
	if (a->ngroups > MAX_GROUPS)
		return fail(err, "setgroups", a->name, EINVAL, "more than %d groups", MAX_GROUPS);
	for (i = 0; i < a->ngroups; i++)
		if (group_id(a->groups[i], &ids->groups[i], err) < 0)
			return -1;
	ids->ngroups = a->ngroups;
	return 0;
}

static int bounding_set(uint64_t keep, struct err *err)
{
	int c;

	for (c = 0; prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++)
		if ((c > 63 || !(keep >> c & 1)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return fail_errno(err, "prctl", "PR_CAPBSET_DROP");
	return 0;
}

/* Root keeps the retained set; anyone else keeps nothing across execve (as Docker, rkt). */
static int capset_for(uid_t uid, uint64_t keep, struct err *err)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	int i;

	if (uid == 0)
		for (i = 0; i < 2; i++) {
			data[i].effective = data[i].permitted = data[i].inheritable =
				(uint32_t)(keep >> (32 * i));
		}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail_errno(err, "capset", NULL);
	return 0;
}

/* Before chroot (the app's root may have no /proc) and while stage1 has CAP_SYS_RESOURCE. */
static int oom_score_adj(int adj, struct err *err)
{
	char text[16];
	cleanup_close int fd = -1;

	if (adj == OOM_ADJ_KEEP)
		return 0;
	snprintf(text, sizeof text, "%d", adj);
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(err, "open", "/proc/self/oom_score_adj");
	if (write_all(fd, text, strlen(text)) == 0)
		return 0;
	if (errno == EACCES) /* the kernel's answer to lowering it without CAP_SYS_RESOURCE */
		return fail(err, "write", "/proc/self/oom_score_adj", EACCES,
			    "lowering the app's oom_score_adj to %d needs CAP_SYS_RESOURCE, which"
			    " rkj-stage1 does not have on this host", adj);
	return fail_errno(err, "write", "/proc/self/oom_score_adj");
	return 0;
}

int app_become(const struct app *a, struct err *err)
{
	struct ids ids;

	if (oom_score_adj(a->oom_score_adj, err) < 0)
		return -1;
	/* after oom_score_adj (lowering it needs the host's CAP_SYS_RESOURCE), before all the rest:
	 * chroot, ids, capabilities and the filter are then the user namespace's */
	if (a->userns >= 0 && userns_join(a->userns, a->name, err) < 0)
		return -1;
	if (strcmp(a->root, "/") && (chroot(a->root) < 0 || chdir("/") < 0))
		return fail_errno(err, "chroot", a->root);
	if (resolve(a, &ids, err) < 0)
		return -1;
	umask(022);
	if (bounding_set(a->caps, err) < 0)
		return -1;
	/* still root with every capability: see seccomp.c for why the filter is loaded here */
	if (seccomp_install(&a->filter, err) < 0)
		return -1;
	if (setgroups(ids.ngroups, ids.groups) < 0)
		return fail_errno(err, "setgroups", a->name);
	if (setgid(ids.gid) < 0)
		return fail_errno(err, "setgid", a->group ? a->group : a->name);
	if (setuid(ids.uid) < 0)
		return fail_errno(err, "setuid", a->user ? a->user : a->name);
	if (capset_for(ids.uid, a->caps, err) < 0)
		return -1;
	if (a->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail_errno(err, "prctl", "PR_SET_NO_NEW_PRIVS");
	if (chdir(a->workdir) < 0)
		return fail_errno(err, "chdir", a->workdir);
	return 0;
}

int app_exec(const struct app *a, char **argv, struct err *err)
{
	static char *empty[] = { NULL };

	environ = a->env ? a->env : empty; /* the plan's env is the whole environment */
	TRACE("execve");
	execvp(argv[0], argv); /* a name without '/' is searched in the app's PATH */
	return fail_errno(err, "execve", argv[0]);
}

int app_status(const struct plan *plan, int wstatus)
{
	return WIFSIGNALED(wstatus) ? plan->signal_base + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
}
