/*
 * askpass: -W's password prompt, as psql's simple_prompt asks it: on the
 * controlling terminal (/dev/tty), echo off, so the password is in no
 * argv, history, pipe or log. Ctrl-C while asking restores the terminal.
 */
#include "askpass.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static volatile sig_atomic_t askpass_interrupted;

static void askpass_on_signal(int sig)
{
	(void)sig;
	askpass_interrupted = 1;
}

/* To the terminal; a failed write shows as a failed read right after. */
static void askpass_write(int fd, const char *s)
{
	ssize_t r = write(fd, s, strlen(s));

	(void)r;
}

/* Reads one line from fd into buf (without its newline); false on EOF or a signal. */
static bool askpass_read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR && !askpass_interrupted)
			continue;
		if (r <= 0 || askpass_interrupted)
			return false;
		if (c == '\n' || c == '\r')
			break;
		if (n + 1 < len)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

bool askpass_read(const char *prompt, char *buf, size_t len, char *err, size_t errlen)
{
	struct termios saved, quiet;
	struct sigaction sa, old_int, old_term, old_hup;
	bool echo_off, ok;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	buf[0] = '\0';
	if (fd < 0) {
		snprintf(err, errlen,
			 "-W asks for the password on the terminal, and there is none (%s): use "
			 "~/.pgpass or PGPASSWORD instead",
			 strerror(errno));
		return false;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = askpass_on_signal; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	askpass_interrupted = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	echo_off = tcgetattr(fd, &saved) == 0;
	if (echo_off) {
		quiet = saved;
		quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK);
		quiet.c_lflag |= ECHONL;
		echo_off = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	askpass_write(fd, prompt);
	ok = askpass_read_line(fd, buf, len);
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &saved);
	if (!ok)
		askpass_write(fd, "\n");
	close(fd);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	if (!ok) {
		memset(buf, 0, len);
		snprintf(err, errlen, "%s",
			 askpass_interrupted ? "interrupted at the password prompt"
					     : "no password read (end of input)");
	}
	return ok;
}
