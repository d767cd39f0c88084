/*
 * The plan: what stage0 wants run. One "key value" per line; in values "\\" is a backslash
 * and "\n" a newline (no other escapes; NUL cannot occur). Pod keys come first, then each
 * "app NAME" line opens an app and the keys after it belong to that app.
 *
 *   version 1                         app NAME
 *   uuid UUID                         root PATH            (inside rootfs; default /)
 *   pod_dir PATH                      arg ARG              (repeated: argv[0], argv[1]...)
 *   rootfs PATH                       env KEY=VALUE        (repeated)
 *   hostname NAME                     user UID|NAME        group GID|NAME
 *   net private|host                  supp_group GID|NAME  (repeated)
 *   interactive 0|1                   workdir PATH
 *   cgroup_procs PATH   (repeated)    caps N,N,...         (retained; absent: appc default)
 *   masked_paths 0|1    (default 1)   no_new_privs 0|1
 *                                     seccomp 0|1          (1, the default: the default
 *                                                           filter; 0: unconfined)
 *                                     cgroup_procs PATH    (repeated)
 *
 * masked_paths 1: /proc/bus, fs, irq, sys and sysrq-trigger are read-only and /proc/kcore,
 * keys, timer_list... and /sys/firmware are masked (pod.c); 0 is rkt's
 * --insecure-options=paths.
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>

/* The appc default retain set (ace.md, os/linux/capabilities-retain-set). */
#define CAP(c) (1ULL << (c))
static const uint64_t appc_default_caps =
	CAP(CAP_AUDIT_WRITE) | CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) |
	CAP(CAP_FOWNER) | CAP(CAP_KILL) | CAP(CAP_MKNOD) | CAP(CAP_NET_RAW) |
	CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SETUID) | CAP(CAP_SETGID) | CAP(CAP_SETPCAP) |
	CAP(CAP_SETFCAP) | CAP(CAP_SYS_CHROOT);

struct parser {
	const char *path;
	int line;
	struct plan *plan;
	struct err *err;
};

static int bad(struct parser *ps, const char *what, const char *key)
{
	return fail(ps->err, "parse", ps->path, EINVAL, "line %d: %s `%s`", ps->line, what, key);
}

static int push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return -1;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

static int unescape(struct parser *ps, char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (*r != '\\') {
			*w++ = *r++;
			continue;
		}
		r++;
		if (*r == '\\')
			*w++ = '\\';
		else if (*r == 'n')
			*w++ = '\n';
		else
			return bad(ps, "bad escape in value", s);
		r++;
	}
	*w = 0;
	return 0;
}

static int flag(struct parser *ps, const char *key, const char *val, int *out)
{
	if (strcmp(val, "0") && strcmp(val, "1"))
		return bad(ps, "expected 0 or 1 for", key);
	*out = val[0] == '1';
	return 0;
}

static int caps(struct parser *ps, char *val, uint64_t *out)
{
	char *end;

	*out = 0;
	while (*val) {
		unsigned long c = strtoul(val, &end, 10);
		if (end == val || c > 63 || (*end && *end != ','))
			return bad(ps, "bad capability number in", val);
		*out |= 1ULL << c;
		val = *end ? end + 1 : end;
	}
	return 0;
}

static int pod_key(struct parser *ps, const char *key, char *val)
{
	struct plan *p = ps->plan;

	if (!strcmp(key, "version"))
		return strcmp(val, "1") ? bad(ps, "unsupported plan version", val) : 0;
	if (!strcmp(key, "uuid"))
		p->uuid = val;
	else if (!strcmp(key, "pod_dir"))
		p->pod_dir = val;
	else if (!strcmp(key, "rootfs"))
		p->rootfs = val;
	else if (!strcmp(key, "hostname"))
		p->hostname = val;
	else if (!strcmp(key, "net") && strcmp(val, "private") && strcmp(val, "host"))
		return bad(ps, "net must be private or host, not", val);
	else if (!strcmp(key, "net"))
		p->host_net = !strcmp(val, "host");
	else if (!strcmp(key, "interactive"))
		return flag(ps, key, val, &p->interactive);
	else if (!strcmp(key, "masked_paths"))
		return flag(ps, key, val, &p->mask_paths);
	else if (!strcmp(key, "cgroup_procs"))
		return push(&p->cgroups, &p->ncgroups, val);
	else
		return bad(ps, "unknown pod key", key);
	return 0;
}

static int app_key(struct parser *ps, struct app *a, const char *key, char *val)
{
	if (!strcmp(key, "root"))
		a->root = val;
	else if (!strcmp(key, "arg"))
		return push(&a->argv, &a->argc, val);
	else if (!strcmp(key, "env"))
		return strchr(val, '=') ? push(&a->env, &a->envc, val) : bad(ps, "env without =", val);
	else if (!strcmp(key, "user"))
		a->user = val;
	else if (!strcmp(key, "group"))
		a->group = val;
	else if (!strcmp(key, "supp_group"))
		return push(&a->groups, &a->ngroups, val);
	else if (!strcmp(key, "workdir"))
		a->workdir = val;
	else if (!strcmp(key, "caps"))
		return caps(ps, val, &a->caps);
	else if (!strcmp(key, "no_new_privs"))
		return flag(ps, key, val, &a->no_new_privs);
	else if (!strcmp(key, "seccomp"))
		return flag(ps, key, val, &a->seccomp);
	else if (!strcmp(key, "cgroup_procs"))
		return push(&a->cgroups, &a->ncgroups, val);
	else
		return bad(ps, "unknown app key", key);
	return 0;
}

static int new_app(struct parser *ps, char *name)
{
	struct plan *p = ps->plan;
	struct app *apps = realloc(p->apps, (p->napps + 1) * sizeof *apps);

	if (!apps)
		return fail(ps->err, "parse", ps->path, ENOMEM, NULL);
	if (p->napps == MAX_APPS)
		return bad(ps, "too many apps, the most is " MAX_APPS_TEXT ", at", name);
	if (!*name || strchr(name, '/') || strchr(name, ' ') || name[0] == '.')
		return bad(ps, "bad app name", name);
	p->apps = apps;
	memset(&apps[p->napps], 0, sizeof *apps);
	apps[p->napps].name = name;
	apps[p->napps].root = "/";
	apps[p->napps].workdir = "/";
	apps[p->napps].caps = appc_default_caps;
	apps[p->napps].seccomp = 1;
	apps[p->napps].out = apps[p->napps].errout = apps[p->napps].log = -1;
	p->napps++;
	return 0;
}

static int line(struct parser *ps, char *s)
{
	char *val = strchr(s, ' ');

	if (!*s)
		return 0;
	if (val)
		*val++ = 0;
	else
		val = s + strlen(s);
	if (unescape(ps, val) < 0)
		return -1;
	if (!strcmp(s, "app"))
		return new_app(ps, val);
	if (ps->plan->napps)
		return app_key(ps, &ps->plan->apps[ps->plan->napps - 1], s, val);
	return pod_key(ps, s, val);
}

static int check(struct parser *ps)
{
	struct plan *p = ps->plan;
	size_t i;

	if (!p->pod_dir || !p->rootfs || !p->uuid)
		return fail(ps->err, "parse", ps->path, EINVAL, "plan lacks uuid, pod_dir or rootfs");
	if (!p->napps)
		return fail(ps->err, "parse", ps->path, EINVAL, "plan has no app");
	for (i = 0; i < p->napps; i++)
		if (!p->apps[i].argc)
			return fail(ps->err, "parse", ps->path, EINVAL, "app `%s` has no arg",
				    p->apps[i].name);
	return 0;
}

int plan_read(const char *path, struct plan *plan, struct err *err)
{
	struct parser ps = { path, 0, plan, err };
	char *buf, *s, *nl;
	size_t len;

	memset(plan, 0, sizeof *plan);
	plan->mask_paths = 1;
	if (read_file(path, &buf, &len, err) < 0)
		return -1;
	if (strlen(buf) != len)
		return fail(err, "parse", path, EINVAL, "NUL byte in plan");
	for (s = buf; s < buf + len; s = nl + 1) {
		nl = strchr(s, '\n');
		if (!nl)
			nl = buf + len; /* already NUL */
		*nl = 0;
		ps.line++;
		if (line(&ps, s) < 0)
			return -1;
	}
	return check(&ps);
}

struct app *plan_app(struct plan *plan, const char *name, struct err *err)
{
	size_t i;

	if (!name && plan->napps == 1)
		return &plan->apps[0];
	if (!name) {
		fail(err, "enter", plan->pod_dir, EINVAL, "the pod has %zu apps: pass --app NAME",
		     plan->napps);
		return NULL;
	}
	for (i = 0; i < plan->napps; i++)
		if (!strcmp(plan->apps[i].name, name))
			return &plan->apps[i];
	fail(err, "enter", plan->pod_dir, ENOENT, "the pod has no app `%s`", name);
	return NULL;
}
