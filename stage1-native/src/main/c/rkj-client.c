/*
 * rkj-client: the native thin CLI. Hands a whole rkj command line to the daemon over its unix
 * socket and relays the output, signals and exit code; the protocol is drawn in the daemon's
 * dev.rkj.api.http.CliRoute. Whenever the daemon does not take the command (no socket, nobody
 * listening, an answer other than 101, or a "not here" frame), it execs the fallback command (the
 * JVM running rkj in-process) with the same arguments, before anything was printed.
 *
 *   rkj-client N ARG1 ... ARGN FALLBACK [FALLBACK-ARGS...]
 *
 * (the rkj launcher calls it so: N counts the user's arguments). Exit: the command's code; 254
 * when the daemon went away mid-command or nothing could be run.
 *
 * It relays its terminal (`rkj run --interactive`): when the daemon asks ('M' "raw"), stdin goes
 * into raw mode if it is a terminal (Ctrl-C is then a byte for the app, not a signal for rkj) and
 * is sent as 'I' frames, and the window size as 'W' frames, at once and on every SIGWINCH. The
 * terminal's settings come back on 'M' "restore" and on every way out: the exit frame, the daemon
 * gone, SIGTERM or SIGHUP (forwarded, after which the daemon stops the pod and ends the session;
 * a second one ends the client at once). A SIGKILLed client cannot restore anything: the daemon
 * sees the connection closed and detaches from the pod, which runs on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "util.h"

#define DEFAULT_SOCKET "/run/rkj/api.sock"
#define MAX_FRAME (1 << 20)
#define FALL_BACK (-1)
#define LOST 254

#define RELAYS_TERMINAL 1 /* the 'T' frame's flags: this client answers 'M' */

extern char **environ;

static int signal_pipe[2] = {-1, -1};
static struct termios saved_termios;
static volatile sig_atomic_t raw_mode; /* stdin is raw: saved_termios is to be put back */
static int reading_stdin;              /* 'M' "raw" asked for stdin, and it has not ended */

/* Puts the terminal back as raw_on() found it; safe to call twice, and from a signal handler. */
static void restore_terminal(void)
{
	if (raw_mode) {
		raw_mode = 0;
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_termios);
	}
}

static void raw_on(void)
{
	struct termios raw;

	if (raw_mode || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios) < 0)
		return;
	raw = saved_termios;
	cfmakeraw(&raw);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0)
		raw_mode = 1;
}

static void on_signal(int signo)
{
	static volatile sig_atomic_t ending;
	unsigned char b = (unsigned char)signo;
	int saved = errno;

	if (signo != SIGWINCH && signo != SIGINT && ending++) {
		/* the second SIGTERM or SIGHUP: the daemon did not end the session; leave now, terminal restored */
		restore_terminal();
		_exit(128 + signo);
	}
	if (write(signal_pipe[1], &b, 1) < 0) {
		/* a full pipe already holds signals to forward */
	}
	errno = saved;
}

static int frame(int fd, char type, const void *payload, size_t len)
{
	unsigned char head[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
				 (unsigned char)(len >> 8), (unsigned char)len};

	if (write_all(fd, head, sizeof(head)) < 0)
		return -1;
	return len ? write_all(fd, payload, len) : 0;
}

static int frame_str(int fd, char type, const char *s)
{
	return frame(fd, type, s, strlen(s));
}

/* Connects and upgrades: the socket, or FALL_BACK. */
static int open_session(const char *path)
{
	cleanup_close int fd = -1;
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char request[256];
	char head[16384];
	size_t got = 0;

	if (strlen(path) >= sizeof(addr.sun_path))
		return FALL_BACK;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return FALL_BACK;
	/* who asks is the kernel's to say (SO_PEERCRED), not ours */
	snprintf(request, sizeof(request),
		 "GET /v1/cli HTTP/1.1\r\nHost: rkj\r\nUpgrade: rkj-cli/1\r\nConnection: Upgrade\r\n"
		 "Content-Length: 0\r\n\r\n");
	if (write_all(fd, request, strlen(request)) < 0)
		return FALL_BACK;
	/* byte by byte up to the blank line: the daemon sends no frame before "go" anyway */
	while (got < sizeof(head) - 1) {
		ssize_t n = read(fd, head + got, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return FALL_BACK;
		got++;
		if (got >= 4 && memcmp(head + got - 4, "\r\n\r\n", 4) == 0) {
			head[got] = '\0';
			return strncmp(head, "HTTP/1.1 101 ", 13) == 0 ? steal_fd(&fd) : FALL_BACK;
		}
	}
	return FALL_BACK;
}

/* The window size as 'T' and 'W' carry it: columns, rows, 2 bytes BE each (0 = unknown). */
static void window_size(unsigned char out[4])
{
	struct winsize ws;

	memset(out, 0, 4);
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
		out[0] = ws.ws_col >> 8;
		out[1] = ws.ws_col & 0xff;
		out[2] = ws.ws_row >> 8;
		out[3] = ws.ws_row & 0xff;
	}
}

static int send_command(int fd, int argc, char **argv)
{
	unsigned char tty[8] = {0};
	char cwd[4096];

	for (int i = 0; i < argc; i++)
		if (frame_str(fd, 'A', argv[i]) < 0)
			return -1;
	for (char **e = environ; *e; e++)
		if (frame_str(fd, 'E', *e) < 0)
			return -1;
	if (getcwd(cwd, sizeof(cwd)) && frame_str(fd, 'C', cwd) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		tty[i] = isatty(i) ? 1 : 0;
	window_size(tty + 3);
	tty[7] = RELAYS_TERMINAL;
	return frame(fd, 'T', tty, sizeof(tty));
}

static void forward_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return; /* then a signal ends this client as it would without a daemon's help */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
}

static void default_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGWINCH, SIG_DFL);
}

static int send_window_size(int fd)
{
	unsigned char ws[4];

	window_size(ws);
	return frame(fd, 'W', ws, sizeof(ws));
}

/* 'M': the daemon's command reads stdin ("raw") or no longer does ("restore"). */
static int terminal_mode(int fd, const unsigned char *mode, size_t len)
{
	if (len == 3 && memcmp(mode, "raw", 3) == 0) {
		raw_on();
		reading_stdin = 1;
		return send_window_size(fd);
	}
	if (len == 7 && memcmp(mode, "restore", 7) == 0) {
		restore_terminal();
		reading_stdin = 0;
	}
	return 0;
}

/* Sends what stdin has as 'I' frames, its end as 'i'. */
static int forward_stdin(int fd)
{
	unsigned char buf[16384];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n > 0)
		return frame(fd, 'I', buf, (size_t)n);
	reading_stdin = 0; /* EOF, or a terminal that is gone (EIO) */
	return frame(fd, 'i', NULL, 0);
}

static const char *signal_name(int signo)
{
	return signo == SIGINT ? "INT" : signo == SIGHUP ? "HUP" : "TERM";
}

/* Relays frames until the exit frame: the exit code, FALL_BACK, or LOST (said on stderr). */
static int relay(int fd)
{
	cleanup_free unsigned char *buf = malloc(5 + MAX_FRAME);
	size_t have = 0;
	int printed = 0;

	if (!buf)
		return printed ? LOST : FALL_BACK;
	for (;;) {
		struct pollfd fds[3] = {{.fd = fd, .events = POLLIN},
					{.fd = signal_pipe[0], .events = POLLIN},
					{.fd = reading_stdin ? STDIN_FILENO : -1, .events = POLLIN}};
		ssize_t n;

		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents & POLLIN) {
			unsigned char signo;

			while (read(signal_pipe[0], &signo, 1) == 1)
				if ((signo == SIGWINCH ? send_window_size(fd) : frame_str(fd, 'S', signal_name(signo))) < 0)
					break;
		}
		if (reading_stdin && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) && forward_stdin(fd) < 0)
			goto lost;
		if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fd, buf + have, 5 + MAX_FRAME - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		while (have >= 5) {
			uint32_t len = ((uint32_t)buf[1] << 24) | ((uint32_t)buf[2] << 16) | ((uint32_t)buf[3] << 8) | buf[4];

			if (len > MAX_FRAME)
				goto lost;
			if (have < 5 + len)
				break;
			switch (buf[0]) {
			case 'O':
			case 'R':
				printed = 1;
				write_all(buf[0] == 'O' ? STDOUT_FILENO : STDERR_FILENO, buf + 5, len);
				break;
			case 'X':
				return len == 4 ? (int)(((uint32_t)buf[5] << 24) | ((uint32_t)buf[6] << 16)
							| ((uint32_t)buf[7] << 8) | buf[8])
						: LOST;
			case 'N':
				return FALL_BACK;
			case 'M':
				printed = 1; /* the command runs: never again in-process */
				if (terminal_mode(fd, buf + 5, len) < 0)
					goto lost;
				break;
			default:
				break; /* a later daemon's frame */
			}
			memmove(buf, buf + 5 + len, have - 5 - len);
			have -= 5 + len;
		}
	}
lost:
	if (!printed)
		return FALL_BACK;
	fprintf(stderr, "rkj: the daemon closed the connection before the command ended; what it started runs on: see rkj list\n");
	return LOST;
}

static int fall_back(int argc, char **argv, int fallc, char **fallv)
{
	cleanup_free char **cmd = calloc((size_t)fallc + (size_t)argc + 1, sizeof(char *));

	if (!cmd) {
		fprintf(stderr, "rkj: out of memory\n");
		return LOST;
	}
	memcpy(cmd, fallv, (size_t)fallc * sizeof(char *));
	memcpy(cmd + fallc, argv, (size_t)argc * sizeof(char *));
	default_signals();
	setenv("RKJ_NO_DAEMON", "1", 1); /* the JVM asks no daemon again */
	execvp(cmd[0], cmd);
	fprintf(stderr, "rkj: cannot run %s: %s\n", cmd[0], strerror(errno));
	return LOST;
}

int main(int argc, char **argv)
{
	const char *socket_path = getenv("RKJ_SOCKET");
	cleanup_close int fd = -1;
	char *end;
	long n;
	int code;

	n = argc > 2 ? strtol(argv[1], &end, 10) : -1;
	if (n < 0 || *end || n > argc - 3) {
		fprintf(stderr, "rkj-client: usage: rkj-client N ARG1..ARGN FALLBACK [ARGS...] (run by the rkj launcher)\n");
		return LOST;
	}
	char **args = argv + 2;
	char **fallv = argv + 2 + n;
	int fallc = argc - 2 - (int)n;

	if (!socket_path || !*socket_path)
		socket_path = DEFAULT_SOCKET;
	fd = open_session(socket_path);
	if (fd == FALL_BACK)
		return fall_back((int)n, args, fallc, fallv);
	forward_signals();
	if (send_command(fd, (int)n, args) < 0 || frame(fd, 'G', NULL, 0) < 0)
		return fall_back((int)n, args, fallc, fallv);
	code = relay(fd);
	restore_terminal();
	if (code == FALL_BACK) {
		close(steal_fd(&fd));
		return fall_back((int)n, args, fallc, fallv);
	}
	return code;
}
