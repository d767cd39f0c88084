/*
 * seccomp-probe: run inside a pod by SeccompIT (compiled there with gcc -static). Tries the
 * calls the default seccomp filter refuses, each in a child process so that one that works
 * (a new user namespace) does not change the next, and prints one line per call:
 * "NAME ok", "NAME ERRNO" (EPERM, ENOSYS...) or "NAME died SIGNAL" (SIGSYS: killed by a
 * filter; SIGSEGV for x86-*: this kernel runs no 32-bit system calls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define X86_KEYCTL 288  /* the i386 numbers, through int 0x80 */
#define X86_UNSHARE 310

static long x86_syscall(long nr, long a, long b)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(0L)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret < 0 && ret > -4096 ? (errno = (int)-ret, -1) : ret;
}

static long try(const char *name)
{
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 1);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, "user", "rkj-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING);
	if (!strcmp(name, "unshare-user"))
		return syscall(SYS_unshare, CLONE_NEWUSER);
	if (!strcmp(name, "unshare-mount"))
		return syscall(SYS_unshare, CLONE_NEWNS);
	if (!strcmp(name, "getppid"))
		return syscall(SYS_getppid);
	if (!strcmp(name, "x86-keyctl"))
		return x86_syscall(X86_KEYCTL, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING);
	if (!strcmp(name, "x86-unshare-user"))
		return x86_syscall(X86_UNSHARE, CLONE_NEWUSER, 0);
	if (!strcmp(name, "x32-getpid")) /* the x32 ABI: x86-64 numbers with bit 30 set */
		return syscall(0x40000000 | SYS_getpid);
	if (!strcmp(name, "clone-user") || !strcmp(name, "clone3")) {
		struct clone_args args = { .exit_signal = SIGCHLD };
		long pid;

		if (!strcmp(name, "clone3"))
			pid = syscall(SYS_clone3, &args, sizeof args);
		else
			pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid((pid_t)pid, NULL, 0);
		return pid;
	}
	errno = EINVAL;
	return -1;
}

int main(int argc, char **argv)
{
	int i, status;

	for (i = 1; i < argc; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			long r = try(argv[i]);

			printf("%s %s\n", argv[i], r < 0 ? strerrorname_np(errno) : "ok");
			fflush(stdout);
			_exit(0);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			printf("%s %s\n", argv[i], strerrorname_np(errno));
		else if (WIFSIGNALED(status))
			printf("%s died SIG%s\n", argv[i], sigabbrev_np(WTERMSIG(status)));
		fflush(stdout);
	}
	return 0;
}
