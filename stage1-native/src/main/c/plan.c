/*
 * The plan: what stage0 wants run. One "key value" per line; in values "\\" is a backslash
 * and "\n" a newline (no other escapes; NUL cannot occur). Pod keys come first, then each
 * "app NAME" line opens an app and the keys after it belong to that app.
 *
 * The plan carries every default: stage1 has none of its own (it knows no appc), so every
 * key below is required except those marked optional or repeated.
 *
 *   version 5                         app NAME
 *   uuid UUID                         root PATH            (inside rootfs)
 *   pod_dir PATH                      arg ARG              (repeated, at least once:
 *   rootfs PATH                                             argv[0], argv[1]...)
 *   hostname NAME                     env KEY=VALUE        (repeated: the whole environment)
 *   net private|host                  user UID|NAME        (optional; absent: uid 0)
 *   netns PATH          (optional,
 *       private net only: join this
 *       network namespace, CNI's,
 *       instead of a new one)
 *   interactive 0|1                   group GID|NAME       (optional; absent: the user's)
 *   masked_paths 0|1                  supp_group GID|NAME  (repeated)
 *   signal_base N       (an app       workdir PATH
 *       killed by signal S has        caps N,N,...         (the retained bounding set)
 *       status N+S)                   no_new_privs 0|1
 *   cgroup_procs PATH   (repeated)    seccomp 0|1|retain|remove (1: the default filter;
 *   log_max_size BYTES  (at least         0: unconfined; retain: only the syscalls named;
 *       4096: logs/APP is renamed         remove: all but those)
 *       to APP.1 before it would      seccomp_base 0|1     (retain/remove: 1 keeps the default
 *       pass it)                          filter's refusals too; required with them)
 *   mds_port PORT       (optional,    seccomp_errno N      (retain/remove: a blocked call fails
 *   mds_socket PATH      with             with N, 1..4095; 0: the app is killed by SIGSYS)
 *       mds_socket; private net       syscall NAME         (repeated: the retain/remove set)
 *       only: PID 1 relays            oom_score_adj N      (optional, -1000..1000)
 *       127.0.0.1:PORT in the pod     cgroup_procs PATH    (repeated)
 *       to the metadata service's     readonly_root 0|1
 *       socket, mds.c)                pre_start ARG        (repeated: the hook's argv; optional)
 *   stop_grace_ms MS    (when an      post_stop ARG        (repeated: the hook's argv; optional)
 *       app fails, the others get     mount SOURCE         (repeated: opens a mount, host path)
 *       SIGTERM, SIGKILL MS later)    mount_target PATH    (of the mount opened last; in the
 *   uid_shift N         (optional,                          app's root)
 *   uid_count N          together:
 *       the apps run in a user namespace mapping uids and gids 0..N-1 to uid_shift..;
 *       userns.c)
 *                                     mount_readonly 0|1   (of the mount opened last)
 *                                     mount_recursive 0|1  (of the mount opened last)
 *
 * Versions 2 to 4 (pods started by an older rkj, still entered) have no stop_grace_ms (10 s),
 * readonly_root (0), hooks or mounts; 2 and 3 no seccomp modes beyond 0|1, no oom_score_adj and
 * no mds keys; version 2 no log_max_size.
 *
 * masked_paths 1: /proc/bus, fs, irq, sys and sysrq-trigger are read-only and /proc/kcore,
 * keys, timer_list... and /sys/firmware are masked (pod.c).
 */
#include "rkj-stage1.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *path;
	int line;
	struct plan *plan;
	struct err *err;
	int version_seen;
	int caps_seen;              /* of the app being read */
	int readonly_root_seen;     /* of the app being read */
	int errno_seen;             /* of the app being read */
};

static int bad(struct parser *ps, const char *what, const char *key)
{
	return fail(ps->err, "parse", ps->path, EINVAL, "line %d: %s `%s`", ps->line, what, key);
}

static int push(struct parser *ps, char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return fail(ps->err, "parse", ps->path, ENOMEM, "line %d: out of memory", ps->line);
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

static int number(struct parser *ps, const char *key, const char *val, long min, long max, int *out)
{
	char *end;
	long n = strtol(val, &end, 10);

	if (!*val || *end || n < min || n > max)
		return fail(ps->err, "parse", ps->path, EINVAL, "line %d: expected a number %ld..%ld for `%s`",
			    ps->line, min, max, key);
	*out = (int)n;
	return 0;
}

/* A uid or a count of uids: 1..2^32-2. */
static int id_number(struct parser *ps, const char *key, const char *val, uint32_t *out)
{
	char *end;
	unsigned long long n = strtoull(val, &end, 10);

	if (!*val || *val == '-' || *end || n < 1 || n > 0xfffffffeULL)
		return fail(ps->err, "parse", ps->path, EINVAL, "line %d: expected a number 1..4294967294"
			    " for `%s`", ps->line, key);
	*out = (uint32_t)n;
	return 0;
}

static int ranged(struct parser *ps, const char *key, const char *val, long lo, long hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(val, &end, 10);
	if (!*val || *end || errno || n < lo || n > hi)
		return fail(ps->err, "parse", ps->path, EINVAL, "line %d: expected a number %ld..%ld for `%s`",
			    ps->line, lo, hi, key);
	*out = (int)n;
	return 0;
}

static int seccomp_mode(struct parser *ps, const char *val, int *out)
{
	static const char *const modes[] = { "0", "1", "retain", "remove" };
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(val, modes[i])) {
			*out = i; /* SECCOMP_NONE, _DEFAULT, _RETAIN, _REMOVE */
			return 0;
		}
	return bad(ps, "seccomp must be 0, 1, retain or remove, not", val);
}

static int size(struct parser *ps, const char *key, const char *val, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(val, &end, 10);
	if (!*val || *val == '-' || *end || errno || n < LOG_MIN_SIZE)
		return bad(ps, "expected a number of bytes, at least " LOG_MIN_SIZE_TEXT ", for", key);
	*out = n;
	return 0;
}

static int millis(struct parser *ps, const char *key, const char *val, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(val, &end, 10);
	if (!*val || *val == '-' || *end || errno || n > 86400000ULL)
		return bad(ps, "expected milliseconds, at most a day, for", key);
	*out = n;
	return 0;
}

/* The mount a mount_* key belongs to: the app's last one. */
static struct mount_spec *last_mount(struct parser *ps, struct app *a, const char *key)
{
	if (!a->nmounts) {
		bad(ps, "no `mount SOURCE` line before", key);
		return NULL;
	}
	return &a->mounts[a->nmounts - 1];
}

static int new_mount(struct parser *ps, struct app *a, char *source)
{
	struct mount_spec *m = realloc(a->mounts, (a->nmounts + 1) * sizeof *m);

	if (!m)
		return fail(ps->err, "parse", ps->path, ENOMEM, "line %d: out of memory", ps->line);
	if (source[0] != '/')
		return bad(ps, "a mount's source must be an absolute host path, not", source);
	a->mounts = m;
	m[a->nmounts++] = (struct mount_spec){ .source = source, .readonly = -1, .recursive = -1 };
	return 0;
}

static int mount_key(struct parser *ps, struct app *a, const char *key, char *val)
{
	struct mount_spec *m = last_mount(ps, a, key);

	if (!m)
		return -1;
	if (!strcmp(key, "mount_target")) {
		if (val[0] != '/' || !val[1])
			return bad(ps, "a mount's target must be an absolute path below the app's root, not",
				   val);
		m->target = val;
		return 0;
	}
	if (!strcmp(key, "mount_readonly"))
		return flag(ps, key, val, &m->readonly);
	return flag(ps, key, val, &m->recursive);
}

static int pod_key(struct parser *ps, const char *key, char *val)
{
	struct plan *p = ps->plan;

	if (!strcmp(key, "version")) {
		/* 2 to 4: pods started by an older rkj, still entered by this build */
		if (strcmp(val, PLAN_VERSION) && strcmp(val, "2") && strcmp(val, "3") && strcmp(val, "4"))
			return bad(ps, "unsupported plan version (this rkj-stage1 reads versions 2 to "
				       PLAN_VERSION "; was the pod started by another rkj?):", val);
		ps->version_seen = val[0] - '0';
		return 0;
	}
	if (!ps->version_seen)
		return bad(ps, "the plan must begin with `version " PLAN_VERSION "`, not", key);
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
	else if (!strcmp(key, "netns"))
		p->netns = val;
	else if (!strcmp(key, "interactive"))
		return flag(ps, key, val, &p->interactive);
	else if (!strcmp(key, "masked_paths"))
		return flag(ps, key, val, &p->mask_paths);
	else if (!strcmp(key, "signal_base"))
		return number(ps, key, val, 0, 255, &p->signal_base);
	else if (!strcmp(key, "log_max_size"))
		return size(ps, key, val, &p->log_max_size);
	else if (!strcmp(key, "stop_grace_ms"))
		return millis(ps, key, val, &p->stop_grace_ms);
	else if (!strcmp(key, "cgroup_procs"))
		return push(ps, &p->cgroups, &p->ncgroups, val);
	else if (!strcmp(key, "mds_port"))
		return number(ps, key, val, 1, 65535, &p->mds_port);
	else if (!strcmp(key, "mds_socket") && (val[0] != '/' || !strrchr(val, '/')[1] ||
						 strlen(strrchr(val, '/')) > 65))
		return bad(ps, "mds_socket must be an absolute path to a file name of at most 64 bytes, not", val);
	else if (!strcmp(key, "mds_socket"))
		p->mds_socket = val;
	else if (!strcmp(key, "uid_shift"))
		return id_number(ps, key, val, &p->uid_shift);
	else if (!strcmp(key, "uid_count"))
		return id_number(ps, key, val, &p->uid_count);
	else
		return bad(ps, "unknown pod key", key);
	return 0;
}

static int app_key(struct parser *ps, struct app *a, const char *key, char *val)
{
	if (!strcmp(key, "root"))
		a->root = val;
	else if (!strcmp(key, "arg"))
		return push(ps, &a->argv, &a->argc, val);
	else if (!strcmp(key, "env"))
		return strchr(val, '=') ? push(ps, &a->env, &a->envc, val) : bad(ps, "env without =", val);
	else if (!strcmp(key, "user"))
		a->user = val;
	else if (!strcmp(key, "group"))
		a->group = val;
	else if (!strcmp(key, "supp_group"))
		return push(ps, &a->groups, &a->ngroups, val);
	else if (!strcmp(key, "workdir"))
		a->workdir = val;
	else if (!strcmp(key, "caps")) {
		ps->caps_seen = 1;
		return caps(ps, val, &a->caps);
	}
	else if (!strcmp(key, "no_new_privs"))
		return flag(ps, key, val, &a->no_new_privs);
	else if (!strcmp(key, "seccomp"))
		return seccomp_mode(ps, val, &a->seccomp);
	else if (!strcmp(key, "seccomp_base"))
		return flag(ps, key, val, &a->seccomp_base);
	else if (!strcmp(key, "seccomp_errno")) {
		ps->errno_seen = 1;
		return ranged(ps, key, val, 0, 4095, &a->seccomp_errno);
	}
	else if (!strcmp(key, "syscall"))
		return *val ? push(ps, &a->syscalls, &a->nsyscalls, val) : bad(ps, "empty", key);
	else if (!strcmp(key, "oom_score_adj"))
		return ranged(ps, key, val, -1000, 1000, &a->oom_score_adj);
	else if (!strcmp(key, "cgroup_procs"))
		return push(ps, &a->cgroups, &a->ncgroups, val);
	else if (!strcmp(key, "readonly_root")) {
		ps->readonly_root_seen = 1;
		return flag(ps, key, val, &a->readonly_root);
	}
	else if (!strcmp(key, "pre_start"))
		return push(ps, &a->pre_start, &a->npre_start, val);
	else if (!strcmp(key, "post_stop"))
		return push(ps, &a->post_stop, &a->npost_stop, val);
	else if (!strcmp(key, "mount"))
		return new_mount(ps, a, val);
	else if (!strcmp(key, "mount_target") || !strcmp(key, "mount_readonly") ||
		 !strcmp(key, "mount_recursive"))
		return mount_key(ps, a, key, val);
	else
		return bad(ps, "unknown app key", key);
	return 0;
}

/* The app read last has every key it needs. */
static int app_complete(struct parser *ps)
{
	const struct app *a;
	const char *missing = NULL;
	size_t i;

	if (!ps->plan->napps)
		return 0;
	a = &ps->plan->apps[ps->plan->napps - 1];
	for (i = 0; i < a->nmounts && !missing; i++)
		if (!a->mounts[i].target)
			missing = "mount_target";
		else if (a->mounts[i].readonly < 0)
			missing = "mount_readonly";
		else if (a->mounts[i].recursive < 0)
			missing = "mount_recursive";
	if (missing)
		;
	else if (!a->argc)
		missing = "arg";
	else if (!a->root)
		missing = "root";
	else if (!a->workdir)
		missing = "workdir";
	else if (!ps->caps_seen)
		missing = "caps";
	else if (a->no_new_privs < 0)
		missing = "no_new_privs";
	else if (a->seccomp < 0)
		missing = "seccomp";
	else if (a->seccomp >= SECCOMP_RETAIN && a->seccomp_base < 0)
		missing = "seccomp_base";
	else if (a->seccomp >= SECCOMP_RETAIN && !ps->errno_seen)
		missing = "seccomp_errno";
	else if (a->seccomp >= SECCOMP_RETAIN && !a->nsyscalls)
		missing = "syscall";
	else if (!ps->readonly_root_seen && ps->version_seen >= 5)
		missing = "readonly_root";
	if (missing)
		return fail(ps->err, "parse", ps->path, EINVAL, "app `%s` has no `%s`", a->name,
			    missing);
	return 0;
}

static int new_app(struct parser *ps, char *name)
{
	struct plan *p = ps->plan;
	struct app *apps;

	if (app_complete(ps) < 0)
		return -1;
	if (p->napps == MAX_APPS)
		return bad(ps, "too many apps, the most is " MAX_APPS_TEXT ", at", name);
	if (!*name || strchr(name, '/') || strchr(name, ' ') || name[0] == '.')
		return bad(ps, "bad app name", name);
	apps = realloc(p->apps, (p->napps + 1) * sizeof *apps);
	if (!apps)
		return fail(ps->err, "parse", ps->path, ENOMEM, "line %d: out of memory", ps->line);
	p->apps = apps;
	memset(&apps[p->napps], 0, sizeof *apps);
	apps[p->napps].name = name;
	apps[p->napps].no_new_privs = apps[p->napps].seccomp = apps[p->napps].seccomp_base = -1;
	apps[p->napps].oom_score_adj = OOM_ADJ_KEEP;
	apps[p->napps].out = apps[p->napps].errout = apps[p->napps].log = -1;
	apps[p->napps].userns = -1;
	ps->caps_seen = ps->errno_seen = ps->readonly_root_seen = 0;
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
	const char *missing = NULL;

	if (p->stop_grace_ms == UINT64_MAX && ps->version_seen && ps->version_seen < 5)
		p->stop_grace_ms = 10000; /* before version 5: rkt's 10 s */
	if (!ps->version_seen)
		missing = "version";
	else if (p->stop_grace_ms == UINT64_MAX)
		missing = "stop_grace_ms";
	else if (!p->uuid)
		missing = "uuid";
	else if (!p->pod_dir)
		missing = "pod_dir";
	else if (!p->rootfs)
		missing = "rootfs";
	else if (!p->hostname)
		missing = "hostname";
	else if (p->host_net < 0)
		missing = "net";
	else if (p->interactive < 0)
		missing = "interactive";
	else if (p->mask_paths < 0)
		missing = "masked_paths";
	else if (p->signal_base < 0)
		missing = "signal_base";
	else if (!p->log_max_size && ps->version_seen == 2)
		p->log_max_size = UINT64_MAX; /* version 2 had no cap */
	else if (!p->log_max_size)
		missing = "log_max_size";
	if (missing)
		return fail(ps->err, "parse", ps->path, EINVAL, "the plan has no `%s`", missing);
	if (p->netns && p->host_net)
		return fail(ps->err, "parse", ps->path, EINVAL, "netns is for a pod with a private network, not net host");
	if (!p->mds_port != !p->mds_socket || (p->mds_port && p->host_net))
		return fail(ps->err, "parse", ps->path, EINVAL,
			    "mds_port and mds_socket go together, in a pod with a private network");
	if (!p->uid_shift != !p->uid_count || (uint64_t)p->uid_shift + p->uid_count > 0xffffffffULL)
		return fail(ps->err, "parse", ps->path, EINVAL,
			    "uid_shift and uid_count go together, both above 0, within 2^32-1");
	if (!p->napps)
		return fail(ps->err, "parse", ps->path, EINVAL, "the plan has no app");
	return app_complete(ps);
}

/* The plan's strings point into the file's buffer, which lives as long as the process. */
int plan_read(const char *path, struct plan *plan, struct err *err)
{
	struct parser ps = { .path = path, .plan = plan, .err = err };
	cleanup_free char *buf = NULL;
	char *s, *nl;
	size_t len;

	memset(plan, 0, sizeof *plan);
	plan->host_net = plan->interactive = plan->mask_paths = plan->signal_base = -1;
	plan->stop_grace_ms = UINT64_MAX;
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
	if (check(&ps) < 0)
		return -1;
	steal_ptr(&buf);
	return 0;
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
